import type { Logger } from '@pool-guard/shared/logging';
import type { PoolGuardQueues } from '@pool-guard/shared/queue';
import type { ReconcileSettings } from '@pool-guard/shared/config';
import type { LedgerStore, SweepStore, TicketActivity, TicketLocks, TrackerThrottle } from '@pool-guard/shared/store';
import type { TenantRegistry } from '@pool-guard/shared/tracker';
import type { TenantGate } from './tenant-gate.js';

/** Everything the worker's use-cases need, built once by the composition root. */
export interface WorkerDeps {
  logger: Logger;
  store: LedgerStore;
  locks: TicketLocks;
  /** When tickets and pools last changed: write-backs wait for a burst of changes to end. */
  activity: TicketActivity;
  throttle: TrackerThrottle;
  /** Reconcile sweeps: the per-tenant lease and the last report. */
  sweeps: SweepStore;
  queues: PoolGuardQueues;
  tenants: TenantRegistry;
  /** Write-backs to one ticket within this window are coalesced into one. */
  coalesceMs: number;
  /** The config's `worker.lockDurationMs` (default 30 000): BullMQ's job lock; ticket write locks follow it. */
  lockDurationMs?: number;
  /** The config's top-level `reconcile` block (tenants may override it). */
  reconcile: ReconcileSettings;
  now?: () => number;
  /** Per-tenant cap on jobs running in this process (set by createWorkers). */
  tenantGate?: TenantGate;
}
