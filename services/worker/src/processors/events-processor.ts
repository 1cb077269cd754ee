import type { Job } from 'bullmq';
import { JOBS } from '@pool-guard/shared/queue';
import { applyTrackerEvent } from '../use-cases/apply-tracker-event.js';
import { recomputePool } from '../use-cases/recompute-pool.js';
import { writeBackPool } from '../use-cases/write-back-pool.js';
import { burstHoldMs, eventsBacklog } from './burst-hold.js';
import { delayJob, runTrackerJob } from './run-tracker-job.js';
import type { WorkerDeps } from '../worker-deps.js';

/** The events queue: `tracker.event.apply`, `pool.recompute` and `pool.writeback`. */
export function createEventsProcessor(deps: WorkerDeps) {
  const backlog = eventsBacklog(deps);
  return async (job: Job, token?: string): Promise<unknown> => {
    switch (job.name) {
      case 'tracker.event.apply': {
        const data = JOBS['tracker.event.apply'].schema.parse(job.data);
        // applyTrackerEvent records the change in the ticket's and its pools' activity, so their
        // write-backs wait for the burst to end (burst-hold.ts).
        const outcome = await runTrackerJob(deps, job, token, data.tenant, () => applyTrackerEvent(deps, data));
        deps.logger.debug({ tenant: data.tenant, ticket: data.event.ticketKey, delivery: data.deliveryId, outcome }, 'event applied');
        return outcome;
      }
      case 'pool.recompute': {
        const data = JOBS['pool.recompute'].schema.parse(job.data);
        const tenant = deps.tenants.get(data.tenant);
        if (!tenant) return { kind: 'unknown_tenant' };
        const result = await recomputePool(deps, tenant, data.poolId);
        return { kind: 'recomputed', changed: result.changedTicketIds.length };
      }
      case 'pool.writeback': {
        const data = JOBS['pool.writeback'].schema.parse(job.data);
        const tenant = deps.tenants.get(data.tenant);
        if (!tenant) return { kind: 'unknown_tenant' };
        // Wait out the pool's burst of changes (keeping the deduplication id, so it absorbs them).
        const hold = await burstHoldMs(deps, job, { tenant: data.tenant, poolId: data.poolId }, backlog);
        if (hold > 0) return delayJob(job, token, hold);
        // Before reading the pool: a change from now on needs a job of its own.
        await job.removeDeduplicationKey();
        // It writes tickets itself: tracker errors as for any tracker job (a rate limit delays it).
        return { kind: 'refreshed', ...(await runTrackerJob(deps, job, token, data.tenant, () => writeBackPool(deps, tenant, data.poolId))) };
      }
      default:
        deps.logger.warn({ job: job.name, jobId: job.id }, 'unknown job on the events queue; dropped');
        return { kind: 'unknown_job' };
    }
  };
}
