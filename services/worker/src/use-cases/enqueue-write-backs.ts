import type { WorkerDeps } from '../worker-deps.js';

/**
 * Asks for a write-back of each ticket, coalesced: a ticket already waiting for its write-back is
 * not queued again within the window, and the job reads the ticket's state only when it runs, so
 * the final state always lands (a change after the window gets a job of its own).
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
          deduplication: { id: `${tenant}:${ticketId}`, ttl: Math.max(1, deps.coalesceMs) },
        },
      ),
    );
  }
  await Promise.all(adds);
  return count;
}
