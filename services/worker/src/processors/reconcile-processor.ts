import type { Job } from 'bullmq';
import { JOBS } from '@pool-guard/shared/queue';
import { reconcileTenant } from '../use-cases/reconcile-tenant.js';
import type { WorkerDeps } from '../worker-deps.js';

export interface ReconcileProcessor {
  process(job: Job, token?: string): Promise<unknown>;
  /** Asks running sweeps to stop between two tickets (shutdown); each records itself as interrupted. */
  stop(): void;
}

/** The reconcile queue: `tenant.reconcile`, one sweep of one tenant per job. */
export function createReconcileProcessor(deps: WorkerDeps): ReconcileProcessor {
  const stopping = new AbortController();
  return {
    async process(job) {
      const data = JOBS['tenant.reconcile'].schema.parse(job.data);
      const outcome = await reconcileTenant(deps, {
        tenant: data.tenant,
        trigger: data.trigger,
        quarters: data.quarters,
        signal: stopping.signal,
        owner: `worker job ${job.id ?? '?'}`,
      });
      if (outcome.kind === 'busy') {
        // The previous sweep still runs (or a backfill): this one is not needed, the next comes on schedule.
        deps.logger.info({ tenant: data.tenant, holder: outcome.holder }, 'reconcile sweep skipped: another sweep of this tenant is running');
        return { kind: 'busy' };
      }
      if (outcome.kind === 'unknown_tenant') return outcome;
      const { report } = outcome;
      return { kind: 'swept', status: report.status, ticketsSeen: report.ticketsSeen, writeBacksQueued: report.writeBacksQueued };
    },
    stop() {
      stopping.abort();
    },
  };
}
