import { isTrackerError, type TenantContext, type TrackerEvent } from '@pool-guard/shared/tracker';
import { botAccountId } from './bot-account.js';
import { enqueueWriteBacks } from './enqueue-write-backs.js';
import { forEachLimited } from './for-each-limited.js';
import { applyObservedTicket, observedFrom, settleTouchedPools } from './apply-tracker-event.js';
import type { WorkerDeps } from '../worker-deps.js';

/** An event the batch did not apply, to be queued as a job of its own (which retries, waits and dead-letters). */
export interface DeferredEvent {
  /** Its index in the batch's events. */
  index: number;
  /** How long the job should wait before it runs (a rate limit's pause; 0 = at once). */
  delayMs: number;
  reason: string;
}

export type BatchOutcome =
  | { kind: 'unknown_tenant' }
  | { kind: 'applied'; tickets: number; applied: number; echoes: number; pools: number; writeBacks: number; deferred: DeferredEvent[] };

/** How long an event deferred after a transient tracker failure waits before its job runs. */
const TRANSIENT_DELAY_MS = 1_000;

/**
 * Applies a burst of one tenant's events in one go: what `applyTrackerEvent` does for each event,
 * with the work they share done once. The tracker's pause is read once; each ticket is re-read
 * once however many of its events the burst holds (a `ticket.changed` re-reads the whole ticket, so
 * its consecutive repeats add nothing); every pool the burst touched is recomputed once, not once
 * per event; write-backs are queued once per ticket. Pool Guard's own echoes are dropped.
 *
 * An event that fails here (the tracker refuses, fails or rate-limits it; Redis fails) is not
 * retried here: it comes back in `deferred`, and the caller queues it as a `tracker.event.apply`
 * job, which retries with backoff, waits out rate limits and dead-letters as every job does. A
 * rate limit also pauses the tenant, and the batch's events not yet read wait the pause out as
 * jobs. Safe to run twice: a repeat finds nothing new to apply.
 */
export async function applyEventBatch(deps: WorkerDeps, tenantId: string, events: readonly TrackerEvent[], concurrency: number): Promise<BatchOutcome> {
  const tenant = deps.tenants.get(tenantId);
  if (!tenant) return { kind: 'unknown_tenant' };
  const deferred: DeferredEvent[] = [];

  // Each ticket's events in order, Pool Guard's own echoes left out, repeats of a change folded.
  const bot = await botAccountId(deps, tenant);
  let echoes = 0;
  const byTicket = new Map<string, { index: number; event: TrackerEvent }[]>();
  for (const [index, event] of events.entries()) {
    if (event.actorId !== null && event.actorId === bot) {
      echoes++;
      continue;
    }
    const list = byTicket.get(event.ticketId) ?? [];
    const last = list[list.length - 1];
    if (last && last.event.kind === 'ticket.changed' && event.kind === 'ticket.changed') list[list.length - 1] = { index, event };
    else list.push({ index, event });
    byTicket.set(event.ticketId, list);
  }

  let pausedUntil = await deps.throttle.pausedUntil(tenant.id);
  const affectedPools = new Set<string>();
  const touched: { ticketId: string; pools: string[] }[] = [];
  const ownWriteBacks = new Set<string>();
  let applied = 0;
  let trackerAnswered = false;

  const applyTicket = async (items: { index: number; event: TrackerEvent }[]): Promise<void> => {
    for (const [n, { index, event }] of items.entries()) {
      if (pausedUntil > 0) {
        // Rate-limited (before or during the batch): this and the ticket's later events wait as jobs.
        for (const rest of items.slice(n)) deferred.push({ index: rest.index, delayMs: Math.max(0, pausedUntil - Date.now()), reason: 'tracker paused' });
        return;
      }
      try {
        const result = await applyOne(deps, tenant, event);
        trackerAnswered ||= event.kind !== 'ticket.deleted';
        if (result.applied) {
          applied++;
          touched.push({ ticketId: event.ticketId, pools: result.affectedPools });
          for (const p of result.affectedPools) affectedPools.add(p);
        }
        if (result.applied && result.deleted) ownWriteBacks.delete(event.ticketId);
        else ownWriteBacks.add(event.ticketId);
      } catch (err) {
        deferred.push({ index, ...(await deferral(deps, tenant, err, (until) => (pausedUntil = until))) });
        for (const rest of items.slice(n + 1)) deferred.push({ index: rest.index, delayMs: 0, reason: 'an earlier event of its ticket failed' });
        return;
      }
    }
  };
  await forEachLimited([...byTicket.values()], concurrency, applyTicket);
  if (trackerAnswered) await deps.throttle.recordSuccess(tenant.id);

  // The tickets and pools that changed now: their write-backs wait for the burst to end
  // (burst-hold.ts). Recorded before those write-backs are queued.
  await Promise.all(touched.map(({ ticketId, pools }) => deps.activity.touch(tenant.id, ticketId, pools)));
  const settled = await settleTouchedPools(deps, tenant, affectedPools);
  // A ticket whose view a recompute changed was queued in its lane there; every other ticket of
  // the batch still gets a look (the write-back writes only what differs).
  const own = [...ownWriteBacks].filter((id) => !settled.ownTicketIds.has(id));
  const queued = await enqueueWriteBacks(deps, tenant.id, own);
  return {
    kind: 'applied',
    tickets: byTicket.size,
    applied,
    echoes,
    pools: settled.pools.length,
    writeBacks: settled.writeBacks + queued,
    deferred,
  };
}

/** One event's ticket re-read (unless deleted) and moved in the ledger; pools are left to the batch. */
async function applyOne(deps: WorkerDeps, tenant: TenantContext, event: TrackerEvent) {
  if (event.kind === 'ticket.deleted') return applyObservedTicket(deps, tenant, observedFrom(event, null));
  // The ledger's record is read before the ticket: the compare-and-set on its version catches a change since.
  const known = await deps.store.getTicket(tenant.id, event.ticketId);
  const ticket = await tenant.client.fetchTicket(event.ticketId);
  return applyObservedTicket(deps, tenant, observedFrom(event, ticket), known);
}

/** How a failed event waits for its job; a rate limit pauses the tenant (as runTrackerJob does). */
async function deferral(deps: WorkerDeps, tenant: TenantContext, err: unknown, paused: (until: number) => void): Promise<Omit<DeferredEvent, 'index'>> {
  const reason = err instanceof Error ? err.message : String(err);
  if (!isTrackerError(err)) return { delayMs: 0, reason };
  if (err.kind === 'rate_limited') {
    const until = Date.now() + err.waitMs;
    paused(until);
    await deps.throttle.pauseUntil(tenant.id, until).catch(() => undefined);
    return { delayMs: Math.max(250, until - Date.now()), reason };
  }
  if (err.kind === 'transient') return { delayMs: TRANSIENT_DELAY_MS, reason };
  // Refused (auth, invalid, not found): the job meets the same answer and fails for good, with a dead letter.
  return { delayMs: 0, reason };
}
