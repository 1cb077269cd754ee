import { admitRequests, type AdmissionEntry, type PoolOutcome, type PoolSettings } from '@pool-guard/shared/domain';
import type { PoolSnapshot } from '@pool-guard/shared/store';
import type { TenantContext } from '@pool-guard/shared/tracker';
import { enqueueWriteBacks } from './enqueue-write-backs.js';
import type { WorkerDeps } from '../worker-deps.js';

export function settingsOf(snapshot: PoolSnapshot, tenant: TenantContext): PoolSettings {
  return snapshot.settings
    ? { limitDays: snapshot.settings.limitDays, warnAtPercent: snapshot.settings.warnAtPercent }
    : { limitDays: null, warnAtPercent: tenant.config.warnAtPercent };
}

/** What a ticket shows of itself in its pool: when it changes, the ticket's own view changed. */
function ownFingerprint(entry: AdmissionEntry): string {
  return JSON.stringify([entry.state, entry.rank, entry.days, entry.standing]);
}

/** What every ticket of a pool shows of the pool. */
function figuresFingerprint(outcome: PoolOutcome): string {
  return JSON.stringify([outcome.usedDays, outcome.limitDays, outcome.warnAtPercent, outcome.overdrawn, outcome.entries.length]);
}

/**
 * Ticket ids (by request key -> id) whose view changed between two outcomes of one pool: `own`
 * where what the ticket shows of itself changed, `figures` where only the pool's figures did.
 */
export function changedTicketsByLane(
  previous: PoolOutcome | null,
  next: PoolOutcome,
  idOfKey: ReadonlyMap<string, string>,
): { own: string[]; figures: string[] } {
  const before = new Map<string, string>();
  if (previous) for (const e of previous.entries) before.set(e.key, ownFingerprint(e));
  const figuresMoved = previous === null || figuresFingerprint(previous) !== figuresFingerprint(next);
  const own: string[] = [];
  const figures: string[] = [];
  for (const e of next.entries) {
    const id = idOfKey.get(e.key);
    if (!id) continue;
    if (before.get(e.key) !== ownFingerprint(e)) own.push(id);
    else if (figuresMoved) figures.push(id);
  }
  return { own, figures };
}

/** Ticket ids (by request key -> id) whose view changed between two outcomes of one pool. */
export function changedTickets(
  previous: PoolOutcome | null,
  next: PoolOutcome,
  idOfKey: ReadonlyMap<string, string>,
): string[] {
  const { own, figures } = changedTicketsByLane(previous, next, idOfKey);
  return [...own, ...figures];
}

export interface RecomputeResult {
  poolId: string;
  version: number;
  changedTicketIds: string[];
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

/** The `pool.writeback` job: a write-back for each ticket now in the pool (behind own changes). */
export async function writeBackPool(deps: WorkerDeps, tenant: TenantContext, poolId: string): Promise<number> {
  const snapshot = await deps.store.readPool(tenant.id, poolId);
  return enqueueWriteBacks(deps, tenant.id, snapshot.requests.map((r) => r.id), 'figures');
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
    const outcome = admitRequests(settingsOf(snapshot, tenant), snapshot.requests);
    const idOfKey = new Map(snapshot.requests.map((r) => [r.key, r.id]));
    const { own, figures } = changedTicketsByLane(snapshot.outcome?.outcome ?? null, outcome, idOfKey);
    const changedTicketIds = [...own, ...figures];
    if (own.length > POOL_WRITE_BACK_FAN_OUT) await enqueuePoolWriteBack(deps, tenant.id, poolId);
    else {
      await enqueueWriteBacks(deps, tenant.id, own);
      // Figures-only changes go through one pool write-back, which waits out the pool's burst
      // and then refreshes every ticket once: under a steady stream of changes a pool's figures
      // move with each one, and a write-back add per ticket per change cost more than the changes.
      if (figures.length > 0) await enqueuePoolWriteBack(deps, tenant.id, poolId);
    }
    if (await deps.store.commitOutcome(tenant.id, poolId, snapshot.version, outcome)) {
      return { poolId, version: snapshot.version, changedTicketIds, outcome };
    }
  }
  throw new Error(`pool ${poolId} of ${tenant.id} kept changing; will retry`);
}
