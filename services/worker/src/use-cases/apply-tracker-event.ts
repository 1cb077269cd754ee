import { isCustomRequest, toPoolRequest, type TicketChange } from '@pool-guard/shared/domain';
import type { ExcludedReason } from '@pool-guard/shared/store';
import { TrackerError, type TenantContext, type TrackerEvent } from '@pool-guard/shared/tracker';
import { botAccountId } from './bot-account.js';
import { enqueueWriteBacks } from './enqueue-write-backs.js';
import { recomputePool } from './recompute-pool.js';
import type { WorkerDeps } from '../worker-deps.js';

export type ApplyOutcome =
  | { kind: 'unknown_tenant' }
  | { kind: 'echo' }
  | { kind: 'applied'; pools: string[]; writeBacks: number }
  | { kind: 'skipped'; reason: 'stale' | 'deleted' | 'unchanged'; pools: string[]; writeBacks: number };

/**
 * Applies one tracker event to the ledger: drops Pool Guard's own echoes, re-reads the ticket
 * (payloads can be old), updates the ticket's request atomically, recomputes the pools it left and
 * joined, and queues write-backs. Safe to run twice: a repeat finds nothing new to apply, and still
 * finishes any pool work a crashed earlier run left behind.
 */
export async function applyTrackerEvent(
  deps: WorkerDeps,
  input: { tenant: string; event: TrackerEvent },
): Promise<ApplyOutcome> {
  const tenant = deps.tenants.get(input.tenant);
  if (!tenant) return { kind: 'unknown_tenant' };
  const { event } = input;

  if (event.actorId !== null && event.actorId === (await botAccountId(deps, tenant))) {
    return { kind: 'echo' };
  }

  const { change, key, excluded } = await changeFromTracker(deps, tenant, event);
  const result = await deps.store.applyTicketChange(tenant.id, event.ticketId, change, { key, excluded });

  // Pools to recompute: those the change touched, plus any left dirty by a run that died midway.
  const pools = new Set<string>(result.applied ? result.affectedPools : []);
  for (const p of await deps.store.dirtyPoolIds(tenant.id)) pools.add(p);
  let writeBacks = 0;
  for (const poolId of pools) {
    writeBacks += (await recomputePool(deps, tenant, poolId)).changedTicketIds.length;
  }
  // The ticket itself always gets a look (it may have left every pool); the write-back writes only
  // what differs from what it last wrote, and nothing at all for a deleted ticket.
  if (!(result.applied && result.deleted)) {
    writeBacks += await enqueueWriteBacks(deps, tenant.id, [event.ticketId]);
  }
  return result.applied
    ? { kind: 'applied', pools: [...pools], writeBacks }
    : { kind: 'skipped', reason: result.reason, pools: [...pools], writeBacks };
}

async function changeFromTracker(
  deps: WorkerDeps,
  tenant: TenantContext,
  event: TrackerEvent,
): Promise<{ change: TicketChange; key: string | null; excluded: ExcludedReason | null }> {
  if (event.kind === 'ticket.deleted') {
    return { change: { kind: 'delete' }, key: event.ticketKey, excluded: null };
  }
  const pausedUntil = await deps.throttle.pausedUntil(tenant.id);
  if (pausedUntil > 0) {
    throw new TrackerError('rate_limited', `tracker of ${tenant.id} is paused`, pausedUntil - Date.now());
  }
  const ticket = await tenant.client.fetchTicket(event.ticketId);
  if (!ticket) {
    return { change: { kind: 'delete' }, key: event.ticketKey, excluded: null };
  }
  const request = toPoolRequest(ticket, tenant.rules);
  let excluded: ExcludedReason | null = null;
  if (!request) excluded = ticket.progress === 'canceled' && isCustomRequest(ticket, tenant.rules) ? 'canceled' : 'no-longer-custom';
  return { change: { kind: 'upsert', updatedAt: ticket.updatedAt, request }, key: ticket.key, excluded };
}
