import type { WorkerDeps } from '../worker-deps.js';

/** The deduplication id of a ticket's write-back job (see enqueueWriteBacks). */
export function writeBackDeduplicationId(tenant: string, ticketId: string): string {
  return `${tenant}:${ticketId}`;
}

/**
 * Asks for a write-back of each ticket, coalesced: a ticket whose write-back job has not started
 * yet is not queued again, however long that job waits (the first waits `coalesceMs`, so a burst
 * becomes one job). The job reads the ticket's state only when it runs, and gives up its
 * deduplication id just before (see writeBackTicket's `onStart`), so a change made after that gets
 * a job of its own: the final state always lands, and a backlog holds at most one waiting job per
 * ticket instead of one per change.
 */
export async function enqueueWriteBacks(deps: WorkerDeps, tenant: string, ticketIds: Iterable<string>): Promise<number> {
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
          deduplication: { id: writeBackDeduplicationId(tenant, ticketId) },
        },
      ),
    );
  }
  await Promise.all(adds);
  return count;
}
