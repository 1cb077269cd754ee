import type { Logger } from '@pool-guard/shared/logging';
import type { PoolGuardQueues } from '@pool-guard/shared/queue';
import type { TenantRegistry } from '@pool-guard/shared/tracker';

export interface ReceiverDeps {
  logger: Logger;
  tenants: TenantRegistry;
  queues: PoolGuardQueues;
  /** The clock used for signature timestamps (Linear's 60 s window). */
  now?: () => number;
}
