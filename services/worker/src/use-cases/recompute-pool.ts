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

/** Everything a ticket shows from its pool: when any of it changes, the ticket needs a write-back. */
function entryFingerprint(outcome: PoolOutcome, entry: AdmissionEntry): string {
  return JSON.stringify([
    entry.state,
    entry.rank,
    entry.days,
    entry.standing,
    outcome.usedDays,
    outcome.limitDays,
    outcome.warnAtPercent,
    outcome.overdrawn,
    outcome.entries.length,
  ]);
}

/** Ticket ids (by request key -> id) whose view changed between two outcomes of one pool. */
export function changedTickets(
  previous: PoolOutcome | null,
  next: PoolOutcome,
  idOfKey: ReadonlyMap<string, string>,
): string[] {
  const before = new Map<string, string>();
  if (previous) for (const e of previous.entries) before.set(e.key, entryFingerprint(previous, e));
  const changed: string[] = [];
  for (const e of next.entries) {
    if (before.get(e.key) !== entryFingerprint(next, e)) {
      const id = idOfKey.get(e.key);
      if (id) changed.push(id);
    }
  }
  return changed;
}

export interface RecomputeResult {
  poolId: string;
  version: number;
  changedTicketIds: string[];
  outcome: PoolOutcome;
}

/**
 * Recomputes one pool's admission from its current requests and settings, queues a write-back
 * for every ticket whose view changed, then commits the outcome (compare-and-set on the pool's
 * version; a concurrent change makes it go round again). Write-backs are queued before the commit,
 * so a crash in between repeats them instead of losing them.
 */
export async function recomputePool(deps: WorkerDeps, tenant: TenantContext, poolId: string): Promise<RecomputeResult> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const snapshot = await deps.store.readPool(tenant.id, poolId);
    const outcome = admitRequests(settingsOf(snapshot, tenant), snapshot.requests);
    const idOfKey = new Map(snapshot.requests.map((r) => [r.key, r.id]));
    const changedTicketIds = changedTickets(snapshot.outcome?.outcome ?? null, outcome, idOfKey);
    await enqueueWriteBacks(deps, tenant.id, changedTicketIds);
    if (await deps.store.commitOutcome(tenant.id, poolId, snapshot.version, outcome)) {
      return { poolId, version: snapshot.version, changedTicketIds, outcome };
    }
  }
  throw new Error(`pool ${poolId} of ${tenant.id} kept changing; will retry`);
}
