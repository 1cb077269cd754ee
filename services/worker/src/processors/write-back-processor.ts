import type { Job } from 'bullmq';
import { JOBS } from '@pool-guard/shared/queue';
import { writeBackTicket } from '../use-cases/write-back-ticket.js';
import { delayJob, runTrackerJob } from './run-tracker-job.js';
import type { WorkerDeps } from '../worker-deps.js';

/** Events waiting past which write-backs hold back (a burst is being applied). */
export const EVENTS_BACKLOG_HOLD = 32;
/** How long after it was queued a write-back may be held back for a burst, at most. */
export const HOLD_AT_MOST_MS = 2_500;
/** How often a write-back held back for a backlog of events looks again. */
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

/**
 * How much longer a write-back should wait for its ticket to be quiet, in ms (0 = write now): a
 * ticket changed less than `coalesceMs` ago is likely to change again (a bulk edit, someone typing
 * an estimate), so its write-back waits until it was left alone that long. A `figures` write-back
 * (only its pool's figures moved) waits for its pool to be quiet instead. Never past
 * HOLD_AT_MOST_MS after the job was queued, so a ticket that never rests is still written.
 */
async function quietWaitMs(deps: WorkerDeps, data: { tenant: string; ticketId: string; poolId?: string | undefined }, now: number): Promise<number> {
  const changedAt = data.poolId !== undefined
    ? await deps.activity.poolChangedAt(data.tenant, data.poolId)
    : await deps.activity.ticketChangedAt(data.tenant, data.ticketId);
  return Math.max(0, changedAt + deps.coalesceMs - now);
}

/** The write-back queue: `tracker.writeback`. */
export function createWriteBackProcessor(deps: WorkerDeps) {
  const backlog = eventsBacklog(deps);
  return async (job: Job, token?: string): Promise<unknown> => {
    const data = JOBS['tracker.writeback'].schema.parse(job.data);
    const now = Date.now();
    if (now - job.timestamp < HOLD_AT_MOST_MS) {
      if ((await backlog()) > EVENTS_BACKLOG_HOLD) return delayJob(job, token, HOLD_STEP_MS);
      const wait = await quietWaitMs(deps, data, now);
      if (wait > 0) return delayJob(job, token, Math.min(wait, job.timestamp + HOLD_AT_MOST_MS - now) + 10);
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
