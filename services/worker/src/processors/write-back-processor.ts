import type { Job } from 'bullmq';
import { JOBS } from '@pool-guard/shared/queue';
import { writeBackTicket } from '../use-cases/write-back-ticket.js';
import { delayJob, runTrackerJob } from './run-tracker-job.js';
import type { WorkerDeps } from '../worker-deps.js';

/** Events waiting past which write-backs hold back (a burst is being applied). */
export const EVENTS_BACKLOG_HOLD = 32;
/** How long after it was queued a write-back may be held back for a burst, at most. */
export const HOLD_AT_MOST_MS = 1_500;
/** How often a held write-back looks again. */
const HOLD_STEP_MS = 200;

/**
 * While a burst of events waits to be applied (a bulk edit, an import, a re-rank), a write-back
 * that would write now would be written again once the rest of the burst changed its pool: it
 * holds back, still absorbing changes to its ticket (it keeps its deduplication id), until the
 * burst is applied or it waited HOLD_AT_MOST_MS. The backlog is read at most every 100 ms.
 */
function eventsBacklog(deps: WorkerDeps): () => Promise<number> {
  let at = 0;
  let last: Promise<number> = Promise.resolve(0);
  return () => {
    const now = Date.now();
    if (now - at >= 100) {
      at = now;
      last = deps.queues.events.getWaitingCount().catch(() => 0);
    }
    return last;
  };
}

/** The write-back queue: `tracker.writeback`. */
export function createWriteBackProcessor(deps: WorkerDeps) {
  const backlog = eventsBacklog(deps);
  return async (job: Job, token?: string): Promise<unknown> => {
    const data = JOBS['tracker.writeback'].schema.parse(job.data);
    if (Date.now() - job.timestamp < HOLD_AT_MOST_MS && (await backlog()) > EVENTS_BACKLOG_HOLD) {
      return delayJob(job, token, HOLD_STEP_MS);
    }
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
