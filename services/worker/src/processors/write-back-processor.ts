import type { Job } from 'bullmq';
import { JOBS } from '@pool-guard/shared/queue';
import { writeBackTicket } from '../use-cases/write-back-ticket.js';
import { burstHoldMs, eventsBacklog } from './burst-hold.js';
import { delayJob, runTrackerJob } from './run-tracker-job.js';
import type { WorkerDeps } from '../worker-deps.js';

/** The write-back queue: `tracker.writeback`. */
export function createWriteBackProcessor(deps: WorkerDeps) {
  const backlog = eventsBacklog(deps);
  return async (job: Job, token?: string): Promise<unknown> => {
    const data = JOBS['tracker.writeback'].schema.parse(job.data);
    // Wait out a burst of changes to this ticket (see burst-hold.ts), keeping the deduplication id.
    const hold = await burstHoldMs(deps, job, { tenant: data.tenant, ticketId: data.ticketId }, backlog);
    if (hold > 0) return delayJob(job, token, hold);
    // Once the job holds the ticket it reads the state: a change from then on needs a job of its own.
    const onStart = () => job.removeDeduplicationKey();
    const outcome = await runTrackerJob(deps, job, token, data.tenant, () => writeBackTicket(deps, { ...data, onStart }));
    if (outcome.kind === 'locked') return delayJob(job, token, Math.max(100, deps.coalesceMs));
    if (outcome.kind === 'written') {
      deps.logger.debug({ tenant: data.tenant, ticketId: data.ticketId, calls: outcome.calls }, 'ticket written');
    }
    return outcome;
  };
}
