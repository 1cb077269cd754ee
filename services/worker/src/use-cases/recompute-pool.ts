import { admitInOrder, type AdmissionEntry, type PoolOutcome, type PoolSettings } from '@pool-guard/shared/domain';
import type { PoolSnapshot } from '@pool-guard/shared/store';
import type { TenantContext } from '@pool-guard/shared/tracker';
import { enqueueWriteBacks } from './enqueue-write-backs.js';
import type { WorkerDeps } from '../worker-deps.js';

export function settingsOf(snapshot: PoolSnapshot, tenant: TenantContext): PoolSettings {
  return snapshot.settings
    ? { limitDays: snapshot.settings.limitDays, warnAtPercent: snapshot.settings.warnAtPercent }
    : { limitDays: null, warnAtPercent: tenant.config.warnAtPercent };
}

/**
 * What a ticket shows of itself in its pool (its state, rank, days and standing): when any of them
 * changes, the ticket's own view changed. Compared field by field (`days` and `rank` are numbers or
 * null, the others strings), which is what comparing their JSON did, without building the text.
 */
function sameOwnView(a: AdmissionEntry, b: AdmissionEntry): boolean {
  return a.state === b.state && a.rank === b.rank && a.days === b.days && a.standing === b.standing;
}

/** What every ticket of a pool shows of the pool. */
function sameFigures(a: PoolOutcome, b: PoolOutcome): boolean {
  return (
    a.usedDays === b.usedDays &&
    a.limitDays === b.limitDays &&
    a.warnAtPercent === b.warnAtPercent &&
    a.overdrawn === b.overdrawn &&
    a.entries.length === b.entries.length
  );
}

/**
 * Ticket ids whose view changed between two outcomes of one pool: `own` where what the ticket shows
 * of itself changed, `figures` where only the pool's figures did. `idOf` gives the ticket id of
 * `next`'s entry from its key and its index (a recompute takes it from the admission order).
 */
export function changedTicketsByLane(
  previous: PoolOutcome | null,
  next: PoolOutcome,
  idOf: (key: string, index: number) => string | undefined,
): { own: string[]; figures: string[] } {
  const prior = previous?.entries ?? [];
  // Most changes keep the admission order, so the entry at the same index is usually the one of the
  // same request; a map of the previous entries is built only when one is not.
  let byKey: Map<string, AdmissionEntry> | null = null;
  const previousOf = (e: AdmissionEntry, i: number): AdmissionEntry | undefined => {
    const same = prior[i];
    if (same !== undefined && same.key === e.key) return same;
    if (byKey === null) {
      byKey = new Map();
      for (const p of prior) if (!byKey.has(p.key)) byKey.set(p.key, p);
    }
    return byKey.get(e.key);
  };
  const figuresMoved = previous === null || !sameFigures(previous, next);
  const own: string[] = [];
  const figures: string[] = [];
  next.entries.forEach((e, i) => {
    const id = idOf(e.key, i);
    if (!id) return;
    const before = previousOf(e, i);
    // An entry admission reused from `previous` is the same object: nothing to compare.
    if (before === undefined || (before !== e && !sameOwnView(before, e))) own.push(id);
    else if (figuresMoved) figures.push(id);
  });
  return { own, figures };
}

export interface RecomputeResult {
  poolId: string;
  version: number;
  changedTicketIds: string[];
  /** Those of `changedTicketIds` whose own view changed: each got a write-back of its own lane queued. */
  ownTicketIds: string[];
  outcome: PoolOutcome;
}

/**
 * Past this many tickets whose view changed in one recompute (the pool's figures moved, so every
 * ticket of a big pool changed), one `pool.writeback` job queues their write-backs instead: a pool
 * of 1,000 requests otherwise cost 1,000 queue adds in every event that touched it.
 */
export const POOL_WRITE_BACK_FAN_OUT = 50;

/** The deduplication id of a pool's `pool.writeback` job. */
export function poolWriteBackDeduplicationId(tenant: string, poolId: string): string {
  return `${tenant}:${poolId}`;
}

/**
 * Asks for a write-back of every ticket of a pool, coalesced like a ticket's write-back: a pool
 * whose job has not started yet is not queued again; the job gives up its deduplication id when it
 * starts, before it reads the pool, so a change after that gets a job of its own.
 */
export async function enqueuePoolWriteBack(deps: WorkerDeps, tenant: string, poolId: string): Promise<void> {
  await deps.queues.add('pool.writeback', { tenant, poolId }, { delay: deps.coalesceMs, deduplication: { id: poolWriteBackDeduplicationId(tenant, poolId) } });
}

/**
 * Recomputes one pool's admission from its current requests and settings, queues a write-back
 * for every ticket whose view changed (one pool write-back when many did), then commits the outcome (compare-and-set on the pool's
 * version; a concurrent change makes it go round again). Write-backs are queued before the commit,
 * so a crash in between repeats them instead of losing them.
 */
export async function recomputePool(deps: WorkerDeps, tenant: TenantContext, poolId: string): Promise<RecomputeResult> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const snapshot = await deps.store.readPool(tenant.id, poolId);
    const previous = snapshot.outcome?.outcome ?? null;
    // Entries equal to the last committed outcome's are its own objects (see admitRequests).
    const { outcome, ordered } = admitInOrder(settingsOf(snapshot, tenant), snapshot.requests, previous);
    const { own, figures } = changedTicketsByLane(previous, outcome, (_key, i) => ordered[i]!.id);
    const changedTicketIds = [...own, ...figures];
    if (own.length > POOL_WRITE_BACK_FAN_OUT) await enqueuePoolWriteBack(deps, tenant.id, poolId);
    else {
      // The two adds do not depend on each other (both land before the commit): one round trip.
      await Promise.all([
        enqueueWriteBacks(deps, tenant.id, own),
        // Figures-only changes go through one pool write-back, which waits out the pool's burst
        // and then refreshes every ticket once: under a steady stream of changes a pool's figures
        // move with each one, and a write-back add per ticket per change cost more than the changes.
        figures.length > 0 ? enqueuePoolWriteBack(deps, tenant.id, poolId) : Promise.resolve(),
      ]);
    }
    if (await deps.store.commitOutcome(tenant.id, poolId, snapshot.version, outcome)) {
      return { poolId, version: snapshot.version, changedTicketIds, ownTicketIds: own.length > POOL_WRITE_BACK_FAN_OUT ? [] : own, outcome };
    }
  }
  throw new Error(`pool ${poolId} of ${tenant.id} kept changing; will retry`);
}
