/**
 * Write-backs wait for a burst of changes to end before they write, so that a bulk edit, an import
 * or a re-rank costs one write per ticket instead of one per change. Two signals:
 *  - a backlog of events not yet applied (the burst is still coming in);
 *  - the ticket changed less than `coalesceMs` ago (a pool's write-back: the pool changed less
 *    than POOL_QUIET_MS, or `coalesceMs` if longer, ago).
 * A job waits at most HOLD_AT_MOST_MS (a pool's: POOL_HOLD_AT_MOST_MS) after it was queued: a
 * ticket that never rests is still written, and a sales rep waits seconds at worst.
 *
 * A ticket's write-back waits out a backlog in its worker slot (`BacklogHolds`), a pool's through
 * the delayed set in steps (it runs on the events queue, whose slots apply the backlog).
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
/** How often a pool's write-back held back for a backlog of events looks again. */
const BACKLOG_STEP_MS = 200;
/** How often the events backlog is read, at most, per process: a reading is up to this old. */
export const BACKLOG_READ_EVERY_MS = 100;
/** How often a ticket's write-back waiting out a backlog in its slot looks again (at each new reading). */
const BACKLOG_LOOK_MS = BACKLOG_READ_EVERY_MS;
/** How often a held pool write-back looks again whether its pool rests (each look is a job move). */
const POOL_RECHECK_MS = 500;

const backlogs = new WeakMap<WorkerDeps['queues'], () => Promise<number>>();

/**
 * Events not applied yet: deliveries on the ingest stream (waiting or being applied) and event jobs
 * waiting. Read at most every BACKLOG_READ_EVERY_MS per process (shared by both processors).
 */
export function eventsBacklog(deps: WorkerDeps): () => Promise<number> {
  const known = backlogs.get(deps.queues);
  if (known) return known;
  let at = 0;
  let last: Promise<number> = Promise.resolve(0);
  const read = () => {
    const now = Date.now();
    if (now - at >= BACKLOG_READ_EVERY_MS) {
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
  const left = holdDeadline(job, subject) - Date.now();
  if (left <= 0) return 0;
  if ((await backlog()) > EVENTS_BACKLOG_HOLD) return Math.min(BACKLOG_STEP_MS, left);
  return restHoldMs(deps, job, subject);
}

/** When `job` must run at the latest, held or not. */
export function holdDeadline(job: Job, subject: BurstSubject): number {
  return job.timestamp + ('poolId' in subject ? POOL_HOLD_AT_MOST_MS : HOLD_AT_MOST_MS);
}

/**
 * How long `job` should wait for its ticket or pool to rest (0 = now): until it had no change for
 * `coalesceMs` (a pool: POOL_QUIET_MS, or `coalesceMs` if longer), never past its deadline.
 */
export async function restHoldMs(deps: WorkerDeps, job: Job, subject: BurstSubject): Promise<number> {
  const now = Date.now();
  const pool = 'poolId' in subject;
  const left = holdDeadline(job, subject) - now;
  if (left <= 0) return 0;
  const changedAt = pool
    ? await deps.activity.poolChangedAt(subject.tenant, subject.poolId)
    : await deps.activity.ticketChangedAt(subject.tenant, subject.ticketId);
  const rest = changedAt + (pool ? Math.max(deps.coalesceMs, POOL_QUIET_MS) : deps.coalesceMs) - now;
  if (rest <= 0) return 0;
  return Math.min(pool ? Math.max(rest + 10, POOL_RECHECK_MS) : rest + 10, left);
}

/**
 * Ticket write-backs waiting out a backlog of events in their worker slot, until the backlog is
 * down to EVENTS_BACKLOG_HOLD or their deadline. Sending each back to the delayed set in 200 ms
 * steps cost two BullMQ scripts per step per job (~260 moves a second at 200 changes/s), worker
 * and Redis CPU taken from the events just when they were behind, and kept the backlog up: on a
 * slow machine changes then showed in ~2 s instead of ~0.4 s. A slot taken this way takes nothing
 * from the events (they have their own queue and slots), and the jobs behind it wait in the queue,
 * as held as it is. `stop()` (the worker closes) ends every wait at once.
 */
export class BacklogHolds {
  private stopped = false;
  private readonly wakers = new Set<() => void>();

  constructor(private readonly backlog: () => Promise<number>) {}

  /** Whether the events are backed up past EVENTS_BACKLOG_HOLD now. */
  async backedUp(): Promise<boolean> {
    return (await this.backlog()) > EVENTS_BACKLOG_HOLD;
  }

  /**
   * Waits until the backlog is down to EVENTS_BACKLOG_HOLD or `deadline` passes (true); false when
   * stopped while still backed up (the caller hands the job back to the queue).
   */
  async waitOut(deadline: number): Promise<boolean> {
    for (;;) {
      if (Date.now() >= deadline || !(await this.backedUp())) return true;
      if (this.stopped) return false;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, Math.min(BACKLOG_LOOK_MS, deadline - Date.now())));
        this.wakers.add(wake);
      });
    }
  }

  stop(): void {
    this.stopped = true;
    for (const wake of [...this.wakers]) wake();
  }
}
