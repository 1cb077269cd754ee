import type { AdminToken } from '@pool-guard/shared/config';
import type { Logger } from '@pool-guard/shared/logging';
import type { PoolGuardQueues } from '@pool-guard/shared/queue';
import type { LedgerStore, SweepStore } from '@pool-guard/shared/store';
import type { TenantRegistry } from '@pool-guard/shared/tracker';

export interface AdminDeps {
  logger: Logger;
  tenants: TenantRegistry;
  store: LedgerStore;
  /** Reconcile sweeps' reports. */
  sweeps: SweepStore;
  queues: PoolGuardQueues;
  adminTokens: readonly AdminToken[];
}
