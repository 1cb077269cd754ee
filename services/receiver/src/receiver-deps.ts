import type { Logger } from '@pool-guard/shared/logging';
import type { PoolGuardQueues } from '@pool-guard/shared/queue';
import type { TrackerThrottle } from '@pool-guard/shared/store';
import type { TenantRegistry } from '@pool-guard/shared/tracker';

export interface ReceiverDeps {
  logger: Logger;
  tenants: TenantRegistry;
  queues: PoolGuardQueues;
  /** Where the worker keeps each tenant's own tracker account (to drop Pool Guard's echoes early). */
  throttle: Pick<TrackerThrottle, 'cachedAccountId'>;
  /** The clock used for signature timestamps (Linear's 60 s window). */
  now?: () => number;
}
