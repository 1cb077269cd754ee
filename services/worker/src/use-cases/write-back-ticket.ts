import {
  admitRequests,
  commentForLeftPool,
  nextQuarter,
  poolIdOf,
  type Badge,
  type PoolRequest,
  type QuarterId,
} from '@pool-guard/shared/domain';
import type { PoolSnapshot, TicketRecord } from '@pool-guard/shared/store';
import { isTrackerError, TrackerError, type TenantContext, type WriteBackResult } from '@pool-guard/shared/tracker';
import { desiredStateOf, planWriteBack, type DesiredTicketState } from './desired-writes.js';
import { recomputePool, settingsOf } from './recompute-pool.js';
import type { WorkerDeps } from '../worker-deps.js';

/** How many later quarters to look at for "the next quarter that has room". */
const LOOKAHEAD_QUARTERS = 4;

/**
 * How long a ticket's write lock lives: twice the job lock, which is how long BullMQ may take to
 * hand a dead worker's job to another one (lock expiry, then one stalled check). A live write-back
 * finishes well within it; a dead one frees its ticket by the time its job runs again.
 */
export function writeLockTtlMs(deps: Pick<WorkerDeps, 'lockDurationMs'>): number {
  return 2 * (deps.lockDurationMs ?? 30_000);
}

export type WriteBackOutcome =
  | { kind: 'unknown_tenant' | 'unknown_ticket' | 'deleted' | 'unchanged' | 'not_ready' }
  | { kind: 'locked' }
  | { kind: 'written'; calls: number };

/**
 * Makes one ticket show its current pool state. Reads the state when it runs (not when it was
 * queued), compares with what Pool Guard last wrote, and writes only the difference.
 * One write-back per ticket at a time (a Redis lock); a busy ticket answers `locked` and the
 * processor tries again shortly.
 */
export async function writeBackTicket(
  deps: WorkerDeps,
  input: {
    tenant: string;
    ticketId: string;
    /**
     * Called once the ticket's lock is taken, before anything is read: the job gives up its
     * deduplication id there, so a change from now on gets a job of its own (see enqueueWriteBacks),
     * while a job put back before this point (tracker paused, ticket locked) still absorbs changes.
     */
    onStart?: () => Promise<unknown>;
  },
): Promise<WriteBackOutcome> {
  const tenant = deps.tenants.get(input.tenant);
  if (!tenant) return { kind: 'unknown_tenant' };
  // The tracker's pause and the ticket's lock in one round trip; a lock taken while paused is let go.
  const [pausedUntil, release] = await Promise.all([deps.throttle.pausedUntil(tenant.id), deps.locks.acquire(tenant.id, input.ticketId, writeLockTtlMs(deps))]);
  if (pausedUntil > 0) {
    await release?.();
    throw new TrackerError('rate_limited', `tracker of ${tenant.id} is paused`, pausedUntil - Date.now());
  }
  if (!release) return { kind: 'locked' };
  try {
    await input.onStart?.();
    const { record, written } = await deps.store.getTicketAndWritten(tenant.id, input.ticketId);
    if (!record) return { kind: 'unknown_ticket' };
    if (record.state.deleted) return { kind: 'deleted' };
    const desired = await desiredState(deps, tenant, record, written?.badge ?? null);
    if (desired === 'nothing') return { kind: 'unchanged' };
    if (desired === 'not_ready') return { kind: 'not_ready' };
    const plan = planWriteBack({ key: record.key ?? input.ticketId, id: input.ticketId }, desired, written);
    if (!plan) return { kind: 'unchanged' };
    // Until the tracker calls are done and recorded, the ticket may show this plan, what it showed
    // before, or a mix. Say so first: a write-back after a crash here then writes every part again,
    // and still knows which pool the ticket was shown in, should it have left it since.
    await deps.store.setWritten(tenant.id, input.ticketId, { ...plan.next, badge: plan.next.badge ?? written?.badge ?? null, uncertain: true });
    let result: WriteBackResult;
    try {
      result = await tenant.client.writeBack(plan.command);
    } catch (err) {
      // Deleted in the tracker after this job was queued: there is nothing left to write to, and no
      // one to tell (its deletion event, or the next sweep, takes it out of the ledger). Any other
      // refusal still fails the job.
      if (isTrackerError(err) && err.kind === 'not_found' && (await tenant.client.fetchTicket(input.ticketId)) === null) {
        // Gone: what it showed no longer matters; keep the record as it was before this attempt.
        if (written) await deps.store.setWritten(tenant.id, input.ticketId, written);
        else await deps.store.deleteWritten(tenant.id, input.ticketId);
        return { kind: 'deleted' };
      }
      throw err;
    }
    await deps.store.setWritten(tenant.id, input.ticketId, {
      ...plan.next,
      commentId: result.commentId ?? plan.next.commentId,
    });
    return { kind: 'written', calls: result.calls };
  } finally {
    await release();
  }
}

async function desiredState(
  deps: WorkerDeps,
  tenant: TenantContext,
  record: TicketRecord,
  writtenBadge: string | null,
): Promise<DesiredTicketState | 'nothing' | 'not_ready'> {
  const request = record.state.request;
  if (!request) {
    // Left every pool. Only a ticket Pool Guard wrote to needs telling.
    if (writtenBadge === null) return 'nothing';
    const last = JSON.parse(writtenBadge) as Badge;
    return {
      label: null,
      badge: null,
      comment: commentForLeftPool({
        key: record.key ?? record.ticketId,
        scope: last.scope,
        quarter: last.quarter,
        reason: record.excluded ?? 'no-longer-custom',
      }),
    };
  }
  const snapshot = await settledPool(deps, tenant, poolIdOf(request));
  // The committed outcome's own entries where they are equal (see admitRequests).
  const outcome = admitRequests(settingsOf(snapshot, tenant), snapshot.requests, snapshot.outcome?.outcome);
  const inPool = snapshot.requests.find((r) => r.id === request.id);
  if (!inPool) return 'not_ready';
  const entry = outcome.entries.find((e) => e.key === inPool.key);
  if (!entry) return 'not_ready';
  const room = entry.state === 'over-limit' ? await nextQuarterWithRoom(deps, tenant, inPool) : null;
  return desiredStateOf(outcome, inPool, room);
}

/** How many times a write-back recomputes a pool that keeps changing before it gives up (and is retried). */
const SETTLE_ATTEMPTS = 5;

/**
 * The pool as its last committed outcome has it, recomputing it first when a change is not yet
 * committed. A ticket must only ever show a committed outcome: recomputes queue write-backs for the
 * tickets whose view differs from the previous committed outcome, so a view taken from requests no
 * recompute committed (a worker between its ticket update and its recompute) could stay on the
 * ticket for good once a later change undoes it.
 */
async function settledPool(deps: WorkerDeps, tenant: TenantContext, poolId: string): Promise<PoolSnapshot> {
  for (let attempt = 0; attempt < SETTLE_ATTEMPTS; attempt++) {
    const snapshot = await deps.store.readPool(tenant.id, poolId);
    if (snapshot.outcome !== null && snapshot.outcome.version === snapshot.version) return snapshot;
    await recomputePool(deps, tenant, poolId);
  }
  throw new Error(`pool ${poolId} of ${tenant.id} kept changing; the write-back will retry`);
}

/** The nearest later quarter of the same scope whose pool is set and has room for the request. */
export async function nextQuarterWithRoom(
  deps: WorkerDeps,
  tenant: TenantContext,
  request: PoolRequest,
): Promise<{ quarter: QuarterId; freeDays: number } | null> {
  if (request.days === null) return null;
  const quarters = Array.from({ length: LOOKAHEAD_QUARTERS }, (_, i) => nextQuarter(request.quarter, i + 1));
  // The committed figures of each later pool (a small read each); a pool changed since its last
  // commit is read and admitted whole, as its tickets are about to show.
  const poolIds = quarters.map((q) => poolIdOf({ scope: request.scope, quarter: q }));
  const committed = await deps.store.readCommittedFigures(tenant.id, poolIds);
  for (const [i, quarter] of quarters.entries()) {
    let known = committed[i] ?? null;
    if (!known) {
      const snap = await deps.store.readPool(tenant.id, poolIds[i]!);
      known = { settings: snap.settings, figures: admitRequests(settingsOf(snap, tenant), snap.requests) };
    }
    if (!known.settings || known.settings.limitDays === null) continue;
    const { freeDays } = known.figures;
    if (freeDays !== null && freeDays >= request.days) return { quarter, freeDays };
  }
  return null;
}
