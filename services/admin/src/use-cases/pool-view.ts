import { admitRequests, poolIdOf, type PoolOutcome, type RequestState, type Standing } from '@pool-guard/shared/domain';
import type { LedgerStore } from '@pool-guard/shared/store';
import type { TenantContext } from '@pool-guard/shared/tracker';

/** A pool as the admin API shows it (a public contract: keep fields, add only). */
export interface PoolView {
  tenant: string;
  scope: string;
  quarter: string;
  limitDays: number | null;
  warnAtPercent: number;
  usedDays: number;
  committedDays: number;
  freeDays: number | null;
  overdrawn: boolean;
  nearLimit: boolean;
  updatedAt: string | null;
  requests: Array<{ key: string; title: string; days: number | null; rank: number; state: RequestState; standing: Standing }>;
}

export function toPoolView(
  tenant: string,
  scope: string,
  quarter: string,
  outcome: PoolOutcome,
  titles: ReadonlyMap<string, string>,
  updatedAt: string | null,
): PoolView {
  return {
    tenant,
    scope,
    quarter,
    limitDays: outcome.limitDays,
    warnAtPercent: outcome.warnAtPercent,
    usedDays: outcome.usedDays,
    committedDays: outcome.committedDays,
    freeDays: outcome.freeDays,
    overdrawn: outcome.overdrawn,
    nearLimit: outcome.nearLimit,
    updatedAt,
    requests: outcome.entries.map((e) => ({
      key: e.key,
      title: titles.get(e.key) ?? '',
      days: e.days,
      rank: e.rank,
      state: e.state,
      standing: e.standing,
    })),
  };
}

/** The pool as it stands now, computed from the ledger (never from a cached outcome). */
export async function readPoolView(store: LedgerStore, tenant: TenantContext, scope: string, quarter: string): Promise<PoolView> {
  const snap = await store.readPool(tenant.id, poolIdOf({ scope, quarter }));
  const settings = snap.settings ?? { limitDays: null, warnAtPercent: tenant.config.warnAtPercent };
  const outcome = admitRequests({ limitDays: settings.limitDays, warnAtPercent: settings.warnAtPercent }, snap.requests);
  const titles = new Map(snap.requests.map((r) => [r.key, r.title]));
  return toPoolView(tenant.id, scope, quarter, outcome, titles, snap.settings?.updatedAt ?? null);
}
