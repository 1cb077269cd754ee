/**
 * Write-backs wait for a burst of changes to end before they write, so that a bulk edit, an import
 * or a re-rank costs one write per ticket instead of one per change. Two signals:
 *  - a backlog of events not yet applied (the burst is still coming in);
 *  - the ticket changed less than `coalesceMs` ago (a pool's write-back: the pool changed less
 *    than POOL_QUIET_MS, or `coalesceMs` if longer, ago).
 * A job waits at most HOLD_AT_MOST_MS (a pool's: POOL_HOLD_AT_MOST_MS) after it was queued: a
 * ticket that never rests is still written, and a sales rep waits seconds at worst.
 */
import type { Job } from 'bullmq';
import type { WorkerDeps } from '../worker-deps.js';

/**
 * Events not yet applied past which write-backs hold back: a burst is coming in faster than it is
 * applied. Under a steady load the worker applies the deliveries in bursts of a few tens (the
 * stream counts them until done); a backlog of hundreds means it is behind.
 */
export const EVENTS_BACKLOG_HOLD = 100;
/** How long after it was queued a ticket's write-back may be held back for a burst, at most. */
export const HOLD_AT_MOST_MS = 2_500;
/**
 * How long after it was queued a pool's write-back (the pool's figures moved: every ticket of the
 * pool shows them) may be held back, at most. Longer than a ticket's: under a steady stream of
 * changes a pool never rests, and refreshing all its tickets every few seconds would cost more
 * tracker writes than the changes themselves; the changed tickets show their own news at once.
 */
export const POOL_HOLD_AT_MOST_MS = 10_000;
/**
 * How long a pool must have had no change before its write-back (a refresh of every ticket's
 * figures) runs, at least: a pool that changes every few hundred milliseconds (a steady stream of
 * changes spread over its tickets) rests `coalesceMs` between most of them, and refreshing all its
 * tickets after each would cost a write-back per ticket per change.
 */
export const POOL_QUIET_MS = 1_000;
/** How often a write-back held back for a backlog of events looks again. */
const BACKLOG_STEP_MS = 200;
/** How often a held pool write-back looks again whether its pool rests (each look is a job move). */
const POOL_RECHECK_MS = 500;

const backlogs = new WeakMap<WorkerDeps['queues'], () => Promise<number>>();

/**
 * Events not applied yet: deliveries on the ingest stream (waiting or being applied) and event jobs
 * waiting. Read at most every 100 ms per process (shared by both processors).
 */
export function eventsBacklog(deps: WorkerDeps): () => Promise<number> {
  const known = backlogs.get(deps.queues);
  if (known) return known;
  let at = 0;
  let last: Promise<number> = Promise.resolve(0);
  const read = () => {
    const now = Date.now();
    if (now - at >= 100) {
      at = now;
      last = Promise.all([deps.queues.ingest.backlog(), deps.queues.events.getWaitingCount()]).then(
        ([deliveries, jobs]) => deliveries + jobs,
        () => 0,
      );
    }
    return last;
  };
  backlogs.set(deps.queues, read);
  return read;
}

export type BurstSubject = { tenant: string; ticketId: string } | { tenant: string; poolId: string };

/**
 * How long `job` should wait before writing (0 = now): while events back up, in steps; while its
 * ticket or pool changed within `coalesceMs`, until it has rested that long; never past
 * HOLD_AT_MOST_MS after the job was queued.
 */
export async function burstHoldMs(deps: WorkerDeps, job: Job, subject: BurstSubject, backlog: () => Promise<number>): Promise<number> {
  const now = Date.now();
  const pool = 'poolId' in subject;
  const left = job.timestamp + (pool ? POOL_HOLD_AT_MOST_MS : HOLD_AT_MOST_MS) - now;
  if (left <= 0) return 0;
  if ((await backlog()) > EVENTS_BACKLOG_HOLD) return Math.min(BACKLOG_STEP_MS, left);
  const changedAt = pool
    ? await deps.activity.poolChangedAt(subject.tenant, subject.poolId)
    : await deps.activity.ticketChangedAt(subject.tenant, subject.ticketId);
  const rest = changedAt + (pool ? Math.max(deps.coalesceMs, POOL_QUIET_MS) : deps.coalesceMs) - now;
  if (rest <= 0) return 0;
  return Math.min(pool ? Math.max(rest + 10, POOL_RECHECK_MS) : rest + 10, left);
}

