/**
 * A recompute that changes many tickets' views at once (a big pool's figures moved) queues one
 * `pool.writeback` job for the pool instead of one write-back per ticket, coalesced per pool; that
 * job queues a write-back for every ticket of the pool.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema } from '@pool-guard/shared/config';
import { toPoolRequest, type Ticket } from '@pool-guard/shared/domain';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { POOL_WRITE_BACK_FAN_OUT, recomputePool, writeBackPool, type WorkerDeps } from '../src/index.js';

const POOL = 'BIG/2026-Q4';

function ticket(n: number, days: number, version: number): Ticket {
  return {
    key: `BIG-${n}`,
    id: `${10000 + n}`,
    scope: 'BIG',
    title: `Request ${n}`,
    labels: ['custom-request'],
    issueType: 'Story',
    linkedToCustomerRequest: false,
    estimate: { seconds: days * 8 * 3600, points: null },
    dueDate: '2026-11-15',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: new Date(Date.UTC(2026, 0, 1) + version * 1000).toISOString(),
    rank: `0|${String(n).padStart(6, '0')}:`,
    progress: 'not-started',
  };
}

describe('write-backs of a big pool', () => {
  let runtime: Runtime;
  let deps: WorkerDeps;
  const size = POOL_WRITE_BACK_FAN_OUT + 10;

  beforeAll(async () => {
    const config = configFileSchema.parse({
      adminTokens: [{ token: 'pool-write-back-admin-token-01', role: 'admin' }],
      tenants: [{ id: 'acme', tracker: 'jira', baseUrl: 'http://127.0.0.1:9', email: 'bot@example.com', apiToken: 'x', webhookSecret: 'pool-write-back-secret' }],
      worker: { coalesceMs: 1000 },
      redisKeyPrefix: uniquePrefix('pool-wb'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    deps = { ...runtime, coalesceMs: 1000, reconcile: config.reconcile };
    await runtime.store.setPoolSettings('acme', POOL, { limitDays: 1000, warnAtPercent: 80 });
  });
  afterAll(async () => {
    await runtime?.queues.events.obliterate({ force: true });
    await runtime?.queues.writeback.obliterate({ force: true });
    await runtime?.close();
  });

  const put = async (n: number, days: number, version: number) => {
    const t = ticket(n, days, version);
    await runtime.store.applyTicketChange('acme', t.id, { kind: 'upsert', updatedAt: t.updatedAt, request: toPoolRequest(t, runtime.tenants.get('acme')!.rules) }, { key: t.key, excluded: null });
  };
  const jobs = async () => {
    const events = await runtime.queues.events.getJobs(['waiting', 'delayed']);
    const writeBacks = await runtime.queues.writeback.getJobs(['waiting', 'delayed', 'prioritized']);
    return { poolWriteBacks: events.filter((j) => j.name === 'pool.writeback').map((j) => j.data), ticketWriteBacks: writeBacks.length };
  };

  it('queues one pool write-back, not one per ticket, and that job queues them all', async () => {
    for (let n = 1; n <= size; n++) await put(n, 1, 1);
    const tenant = runtime.tenants.get('acme')!;
    const first = await recomputePool(deps, tenant, POOL);
    expect(first.changedTicketIds).toHaveLength(size);
    expect(await jobs()).toEqual({ poolWriteBacks: [{ tenant: 'acme', poolId: POOL }], ticketWriteBacks: 0 });

    // Another change before that job started: the changed ticket's own write-back, and still one
    // job for the pool's figures.
    await put(1, 2, 2);
    expect((await recomputePool(deps, tenant, POOL)).changedTicketIds).toHaveLength(size);
    expect(await jobs()).toEqual({ poolWriteBacks: [{ tenant: 'acme', poolId: POOL }], ticketWriteBacks: 1 });

    // The pool job queues every ticket's write-back in the figures lane (behind own changes).
    expect(await writeBackPool(deps, tenant, POOL)).toEqual({ written: 0, queued: size });
    const lanes = await runtime.queues.writeback.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(lanes.filter((j) => (j.opts.priority ?? 0) > 0)).toHaveLength(size);
    expect(lanes.filter((j) => !j.opts.priority).map((j) => j.data.ticketId)).toEqual(['10001']);
  });

  it('fans out again for the next change of the figures, and queues nothing when nothing changed', async () => {
    await runtime.queues.events.obliterate({ force: true });
    await runtime.queues.writeback.obliterate({ force: true });
    // A new request at the end of the pool changes its own view and the pool's figures: with the
    // pool's limit far away, every ticket's comment shows the new used days, so all change...
    await put(size + 1, 1, 1);
    const tenant = runtime.tenants.get('acme')!;
    const result = await recomputePool(deps, tenant, POOL);
    expect(result.changedTicketIds.length > POOL_WRITE_BACK_FAN_OUT).toBe(true);
    // ...while a recompute that changes nothing queues nothing.
    await runtime.queues.events.obliterate({ force: true });
    await runtime.queues.writeback.obliterate({ force: true });
    expect((await recomputePool(deps, tenant, POOL)).changedTicketIds).toEqual([]);
    expect(await jobs()).toEqual({ poolWriteBacks: [], ticketWriteBacks: 0 });
  });
});
