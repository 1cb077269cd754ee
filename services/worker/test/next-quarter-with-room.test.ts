/**
 * The "next quarter with room" a waiting request's comment offers: the nearest later quarter of the
 * same scope whose pool has a limit and room for the request. It reads each later pool's committed
 * figures (a small read), and a pool changed since its last commit whole, admitted as its tickets
 * are about to show.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema } from '@pool-guard/shared/config';
import type { PoolRequest } from '@pool-guard/shared/domain';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { nextQuarterWithRoom, recomputePool, type WorkerDeps } from '../src/index.js';

const TENANT = 'acme';
let clock = Date.UTC(2026, 10, 1);

function request(n: number, quarter: string, days: number | null, scope = 'CR'): PoolRequest {
  clock += 1000;
  return {
    key: `${scope}-${n}`,
    id: `${scope}-id-${n}`,
    title: `Request ${n}`,
    scope,
    quarter,
    days,
    committed: false,
    rank: `0|${String(n).padStart(6, '0')}:`,
    createdAt: '2026-10-01T10:00:00.000Z',
    updatedAt: new Date(clock).toISOString(),
  };
}

describe('nextQuarterWithRoom', () => {
  let runtime: Runtime;
  let deps: WorkerDeps;

  beforeAll(() => {
    const config = configFileSchema.parse({
      adminTokens: [{ token: 'next-quarter-admin-token-0123', role: 'admin' }],
      tenants: [{ id: TENANT, tracker: 'jira', baseUrl: 'https://acme.atlassian.net', email: 'bot@example.com', apiToken: 't', webhookSecret: 's' }],
      redisKeyPrefix: uniquePrefix('next-quarter'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    // Recomputes here queue no write-backs: only the ledger matters.
    deps = { ...runtime, queues: { ...runtime.queues, add: async () => undefined }, coalesceMs: 0, reconcile: config.reconcile };
  });
  afterAll(async () => {
    await runtime?.close();
  });

  const put = async (r: PoolRequest) => {
    const result = await runtime.store.applyTicketChange(TENANT, r.id, { kind: 'upsert', updatedAt: r.updatedAt, request: r }, { key: r.key, excluded: null });
    expect(result.applied).toBe(true);
  };
  const tenant = () => runtime.tenants.get(TENANT)!;

  it('skips later pools without a limit or without room, and names the first with room and its free days', async () => {
    // 2027-Q1: no settings (never set by an admin); 2027-Q2: 4 of 5 days used; 2027-Q3: 3 of 10.
    await put(request(1, '2027-Q1', 2));
    await runtime.store.setPoolSettings(TENANT, 'CR/2027-Q2', { limitDays: 5, warnAtPercent: 80 });
    await put(request(2, '2027-Q2', 4));
    await runtime.store.setPoolSettings(TENANT, 'CR/2027-Q3', { limitDays: 10, warnAtPercent: 80 });
    await put(request(3, '2027-Q3', 3));
    for (const q of ['2027-Q1', '2027-Q2', '2027-Q3']) await recomputePool(deps, tenant(), `CR/${q}`);
    const waiting = request(9, '2026-Q4', 3);
    expect(await nextQuarterWithRoom(deps, tenant(), waiting)).toEqual({ quarter: '2027-Q3', freeDays: 7 });
    expect(await nextQuarterWithRoom(deps, tenant(), { ...waiting, days: 1 })).toEqual({ quarter: '2027-Q2', freeDays: 1 });
    expect(await nextQuarterWithRoom(deps, tenant(), { ...waiting, days: 8 })).toBeNull();
    expect(await nextQuarterWithRoom(deps, tenant(), { ...waiting, days: null })).toBeNull();
  });

  it('admits a pool changed since its last commit as it is now, not as its last outcome had it', async () => {
    await runtime.store.setPoolSettings(TENANT, 'OPS/2027-Q1', { limitDays: 10, warnAtPercent: 80 });
    await put(request(1, '2027-Q1', 2, 'OPS'));
    await recomputePool(deps, tenant(), 'OPS/2027-Q1');
    const waiting = request(9, '2026-Q4', 6, 'OPS');
    expect(await nextQuarterWithRoom(deps, tenant(), waiting)).toEqual({ quarter: '2027-Q1', freeDays: 8 });
    // A request joins and takes the room; no recompute has committed it yet.
    await put(request(2, '2027-Q1', 5, 'OPS'));
    expect(await runtime.store.readCommittedFigures(TENANT, ['OPS/2027-Q1'])).toEqual([null]);
    expect(await nextQuarterWithRoom(deps, tenant(), waiting)).toBeNull();
    expect(await nextQuarterWithRoom(deps, tenant(), { ...waiting, days: 3 })).toEqual({ quarter: '2027-Q1', freeDays: 3 });
    // A new limit is a change too.
    await recomputePool(deps, tenant(), 'OPS/2027-Q1');
    await runtime.store.setPoolSettings(TENANT, 'OPS/2027-Q1', { limitDays: 20, warnAtPercent: 80 });
    expect(await nextQuarterWithRoom(deps, tenant(), waiting)).toEqual({ quarter: '2027-Q1', freeDays: 13 });
    await recomputePool(deps, tenant(), 'OPS/2027-Q1');
    expect((await runtime.store.readCommittedFigures(TENANT, ['OPS/2027-Q1']))[0]).toMatchObject({ settings: { limitDays: 20 }, figures: { usedDays: 7, freeDays: 13 } });
  });
});
