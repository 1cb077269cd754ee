import type { TenantContext } from '@pool-guard/shared/tracker';
import { enqueueWriteBacks } from './enqueue-write-backs.js';
import { forEachLimited } from './for-each-limited.js';
import { POOL_WRITE_BACK_FAN_OUT } from './recompute-pool.js';
import { writeBackTicket } from './write-back-ticket.js';
import type { WorkerDeps } from '../worker-deps.js';

/** Tickets a pool's write-back job writes at once. */
export const POOL_REFRESH_CONCURRENCY = 4;

/**
 * The `pool.writeback` job: every ticket now in the pool shows the pool's current figures. A pool of
 * up to POOL_WRITE_BACK_FAN_OUT tickets is written back by the job itself, `concurrency` tickets at
 * a time (under a steady stream of changes a pool is refreshed every few seconds, and a job per
 * ticket cost more than the writes); a ticket whose own write-back holds its lock gets a write-back
 * job of its own, as do all the tickets of a bigger pool (behind own changes). A tracker error ends
 * the job (it retries; tickets already written then find nothing to write).
 */
export async function writeBackPool(
  deps: WorkerDeps,
  tenant: TenantContext,
  poolId: string,
  concurrency = POOL_REFRESH_CONCURRENCY,
): Promise<{ written: number; queued: number }> {
  const snapshot = await deps.store.readPool(tenant.id, poolId);
  const ids = snapshot.requests.map((r) => r.id);
  if (ids.length > POOL_WRITE_BACK_FAN_OUT) return { written: 0, queued: await enqueueWriteBacks(deps, tenant.id, ids, 'figures') };
  let written = 0;
  const locked: string[] = [];
  await forEachLimited(ids, concurrency, async (ticketId) => {
    const outcome = await writeBackTicket(deps, { tenant: tenant.id, ticketId });
    if (outcome.kind === 'locked') locked.push(ticketId);
    else if (outcome.kind === 'written') written++;
  });
  return { written, queued: await enqueueWriteBacks(deps, tenant.id, locked, 'figures') };
}

