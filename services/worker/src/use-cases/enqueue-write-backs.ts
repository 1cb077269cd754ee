import type { WorkerDeps } from '../worker-deps.js';

/**
 * Why a ticket needs a write-back: `own` — what it shows of itself changed (its state, size, rank,
 * standing; or the event was about it); `figures` — only its pool's figures moved (used days,
 * limit, pool size), which every ticket of the pool shows. `figures` write-backs wait behind `own`
 * ones (BullMQ priority), so under a steady stream of changes the ticket a person changed shows it
 * first, and the pool's other tickets catch up as capacity allows.
 */
export type WriteBackLane = 'own' | 'figures';

/** BullMQ priority of `figures` write-backs (jobs without a priority are taken first). */
export const FIGURES_PRIORITY = 10;

/** The deduplication id of a ticket's write-back job in a lane (see enqueueWriteBacks). */
export function writeBackDeduplicationId(tenant: string, ticketId: string, lane: WriteBackLane = 'own'): string {
  return lane === 'own' ? `${tenant}:${ticketId}` : `${tenant}:${ticketId}:figures`;
}

/**
 * Asks for a write-back of each ticket, coalesced: a ticket whose write-back job has not started
 * yet is not queued again, however long that job waits (the first waits `coalesceMs`, so a burst
 * becomes one job). The job reads the ticket's state only when it runs, and gives up its
 * deduplication id just before (see writeBackTicket's `onStart`), so a change made after that gets
 * a job of its own: the final state always lands, and a backlog holds at most one waiting job per
 * ticket and lane instead of one per change. Either lane's job writes the whole current state.
 */
export async function enqueueWriteBacks(deps: WorkerDeps, tenant: string, ticketIds: Iterable<string>, lane: WriteBackLane = 'own'): Promise<number> {
  let count = 0;
  const adds: Promise<void>[] = [];
  for (const ticketId of new Set(ticketIds)) {
    count++;
    adds.push(
      deps.queues.add(
        'tracker.writeback',
        { tenant, ticketId },
        {
          delay: deps.coalesceMs,
          deduplication: { id: writeBackDeduplicationId(tenant, ticketId, lane) },
          ...(lane === 'figures' ? { priority: FIGURES_PRIORITY } : {}),
        },
      ),
    );
  }
  await Promise.all(adds);
  return count;
}
