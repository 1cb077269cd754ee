import { isCustomRequest, toPoolRequest, type Ticket, type TicketChange } from '@pool-guard/shared/domain';
import type { ApplyTicketResult, ExcludedReason, TicketRecord } from '@pool-guard/shared/store';
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

/** A ticket as just read from the tracker: `ticket` null means it no longer exists (deleted). */
export interface ObservedTicket {
  ticketId: string;
  /** The key to remember when the ticket is gone (the event's or the ledger's). */
  ticketKey: string;
  ticket: Ticket | null;
  /**
   * When the ticket is gone: its last `updatedAt` as the tracker reported it with the event, if it
   * did. The deletion is then ordered like a version, and a newer version (Linear: restored from
   * the trash, unarchived) counts the ticket again; without it the deletion is final.
   */
  deletedAt?: string;
}

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

  let ticket: Ticket | null = null;
  let known: TicketRecord | null | undefined;
  if (event.kind !== 'ticket.deleted') {
    // The ledger's record of the ticket is read with the tracker's pause (one round trip for both)
    // before the ticket is: the compare-and-set on the record's version catches a change since.
    const [pausedUntil, record] = await Promise.all([deps.throttle.pausedUntil(tenant.id), deps.store.getTicket(tenant.id, event.ticketId)]);
    throwIfPaused(tenant, pausedUntil);
    known = record;
    ticket = await tenant.client.fetchTicket(event.ticketId);
  }
  const result = await applyObservedTicket(deps, tenant, observedFrom(event, ticket), known);
  // The ticket and the pools it left or joined changed now: their write-backs wait for the burst to
  // end (burst-hold.ts). Recorded before those write-backs are queued (the recompute's reads follow
  // it on the same connection, its queue adds come after them), so a write-back queued with the
  // coalesce delay is not held once more when that delay ends.
  const [, { pools, writeBacks, ownTicketIds }] = await Promise.all([
    result.applied ? deps.activity.touch(tenant.id, event.ticketId, result.affectedPools) : undefined,
    settleTouchedPools(deps, tenant, result.applied ? result.affectedPools : []),
  ]);
  // The ticket itself always gets a look (it may have left every pool); the write-back writes only
  // what differs from what it last wrote, and nothing at all for a deleted ticket. A recompute above
  // already queued it in its own lane (after the ticket's change) when its view changed: the same
  // add again would only be deduplicated, so it is counted but not sent.
  const ownWriteBack =
    result.applied && result.deleted ? 0 : ownTicketIds.has(event.ticketId) ? 1 : await enqueueWriteBacks(deps, tenant.id, [event.ticketId]);
  return result.applied
    ? { kind: 'applied', pools, writeBacks: writeBacks + ownWriteBack }
    : { kind: 'skipped', reason: result.reason, pools, writeBacks: writeBacks + ownWriteBack };
}

/**
 * What an event's re-read saw: the ticket, or (null) that it is gone. A deletion carries the
 * instant the tracker reported with the event, when it did, so it is ordered like a version.
 */
export function observedFrom(event: TrackerEvent, ticket: Ticket | null): ObservedTicket {
  const reportedAt = event.updatedAt !== null && Number.isFinite(event.updatedAt) ? new Date(event.updatedAt).toISOString() : null;
  return {
    ticketId: event.ticketId,
    ticketKey: event.ticketKey,
    ticket,
    ...(ticket === null && reportedAt !== null ? { deletedAt: reportedAt } : {}),
  };
}

/** The ticket as the tracker has it now (null = deleted), unless the tenant's tracker is paused. */
export async function readTicket(deps: WorkerDeps, tenant: TenantContext, ticketId: string): Promise<Ticket | null> {
  throwIfPaused(tenant, await deps.throttle.pausedUntil(tenant.id));
  return tenant.client.fetchTicket(ticketId);
}

/** A rate-limited job's error while the tenant's tracker is paused (`pausedUntil` > 0). */
function throwIfPaused(tenant: TenantContext, pausedUntil: number): void {
  if (pausedUntil > 0) {
    throw new TrackerError('rate_limited', `tracker of ${tenant.id} is paused`, pausedUntil - Date.now());
  }
}

/**
 * Moves the ledger to a ticket as just read from the tracker (by an event's re-read or a sweep's
 * listing), with the domain's ordering rules: an older read than the ledger's is `stale`. Pools are
 * left to the caller (`settleTouchedPools`), so a sweep recomputes each pool once, not per ticket.
 */
export async function applyObservedTicket(deps: WorkerDeps, tenant: TenantContext, observed: ObservedTicket, known?: TicketRecord | null): Promise<ApplyTicketResult> {
  const { change, key, excluded } = ledgerChangeOf(tenant, observed);
  return deps.store.applyTicketChange(tenant.id, observed.ticketId, change, { key, excluded }, known);
}

/**
 * How often one worker process also recomputes the pools left dirty by others. Pools are dirty
 * between an event's compare-and-set and its pool commit, so under load most dirty pools are
 * another event's work in flight, which that event finishes itself; recomputing them in every event
 * multiplied the work by the number of events in flight. Pools a run that died left dirty are
 * picked up by the next event of the tenant after this interval, or at once by an event that
 * changes nothing (as the retry of the run that died does).
 */
export const DIRTY_POOL_SWEEP_INTERVAL_MS = 2_000;

const lastDirtySweep = new WeakMap<TenantContext, number>();

/**
 * Recomputes the pools a change touched, plus (see DIRTY_POOL_SWEEP_INTERVAL_MS) those left dirty
 * by a run that died midway; each recompute queues write-backs for the tickets whose view changed.
 */
export async function settleTouchedPools(
  deps: WorkerDeps,
  tenant: TenantContext,
  touched: Iterable<string>,
): Promise<{ pools: string[]; writeBacks: number; changedTicketIds: string[]; ownTicketIds: Set<string> }> {
  const pools = new Set<string>(touched);
  const now = (deps.now ?? Date.now)();
  if (pools.size === 0 || now - (lastDirtySweep.get(tenant) ?? 0) >= DIRTY_POOL_SWEEP_INTERVAL_MS) {
    lastDirtySweep.set(tenant, now);
    for (const p of await deps.store.dirtyPoolIds(tenant.id)) pools.add(p);
  }
  const changedTicketIds: string[] = [];
  const ownTicketIds = new Set<string>();
  for (const poolId of pools) {
    const recomputed = await recomputePool(deps, tenant, poolId);
    changedTicketIds.push(...recomputed.changedTicketIds);
    for (const id of recomputed.ownTicketIds) ownTicketIds.add(id);
  }
  return { pools: [...pools], writeBacks: changedTicketIds.length, changedTicketIds, ownTicketIds };
}

function ledgerChangeOf(
  tenant: TenantContext,
  observed: ObservedTicket,
): { change: TicketChange; key: string | null; excluded: ExcludedReason | null } {
  const { ticket } = observed;
  if (!ticket) {
    const change: TicketChange = observed.deletedAt ? { kind: 'delete', at: observed.deletedAt } : { kind: 'delete' };
    return { change, key: observed.ticketKey, excluded: null };
  }
  const request = toPoolRequest(ticket, tenant.rules);
  let excluded: ExcludedReason | null = null;
  if (!request) excluded = ticket.progress === 'canceled' && isCustomRequest(ticket, tenant.rules) ? 'canceled' : 'no-longer-custom';
  return { change: { kind: 'upsert', updatedAt: ticket.updatedAt, request }, key: ticket.key, excluded };
}
