/**
 * Write-backs wait for a burst of changes to end: a ticket changed again and again (a bulk edit, a
 * re-rank) is written once, after it was left alone for the coalesce window; a `figures`
 * write-back waits for its pool instead; a ticket that never rests is still written within
 * HOLD_AT_MOST_MS of its first change.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema, type ConfigFile } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { eventually, testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { createWorkers, type PoolGuardWorkers } from '../src/create-workers.js';
import { HOLD_AT_MOST_MS } from '../src/processors/burst-hold.js';
import { enqueuePoolWriteBack } from '../src/use-cases/recompute-pool.js';
import { enqueueWriteBacks } from '../src/use-cases/enqueue-write-backs.js';
import type { WorkerDeps } from '../src/worker-deps.js';

const COALESCE_MS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('write-backs wait for a burst to end', () => {
  let config: ConfigFile;
  let runtime: Runtime;
  let deps: WorkerDeps;
  let workers: PoolGuardWorkers | null = null;
  /** When each ticket's write-back ran (it reads the ticket once it holds it), and each pool's (it reads the pool). */
  const runs = new Map<string, number[]>();
  const poolRuns = new Map<string, number[]>();

  beforeAll(async () => {
    config = configFileSchema.parse({
      adminTokens: [{ token: 'quiet-admin-token-0123456789' }],
      tenants: [{ id: 'acme', tracker: 'jira', baseUrl: 'https://acme.atlassian.net', email: 'bot@example.com', apiToken: 't', webhookSecret: 's' }],
      worker: { concurrency: 4, coalesceMs: COALESCE_MS },
      redisKeyPrefix: uniquePrefix('quiet'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    deps = { ...runtime, coalesceMs: config.worker.coalesceMs, reconcile: config.reconcile };
    const store = Object.create(runtime.store) as typeof runtime.store;
    store.getTicketAndWritten = async (tenant, ticketId) => {
      runs.set(ticketId, [...(runs.get(ticketId) ?? []), Date.now()]);
      return runtime.store.getTicketAndWritten(tenant, ticketId);
    };
    store.readPool = async (tenant, poolId) => {
      poolRuns.set(poolId, [...(poolRuns.get(poolId) ?? []), Date.now()]);
      return runtime.store.readPool(tenant, poolId);
    };
    workers = createWorkers({ ...deps, store }, { connection: runtime.bullConnection, redisKeyPrefix: config.redisKeyPrefix, concurrency: 4, scheduleSweeps: false });
  });

  afterEach(async () => {
    const busy = async () =>
      (await runtime.queues.writeback.getJobCountByTypes('waiting', 'delayed', 'prioritized', 'active')) +
      (await runtime.queues.events.getJobCountByTypes('waiting', 'delayed', 'prioritized', 'active'));
    await eventually(async () => (await busy()) === 0, 'the queues to drain', 10_000, 20);
  });

  afterAll(async () => {
    await workers?.close(500);
    await runtime.queues.writeback.obliterate({ force: true }).catch(() => undefined);
    await runtime.queues.events.obliterate({ force: true }).catch(() => undefined);
    await runtime.close();
  });

  /** A change to a ticket as the events processor records it, and the write-back it asks for. */
  async function change(ticketId: string, poolId: string): Promise<void> {
    await runtime.activity.touch('acme', ticketId, [poolId]);
    await enqueueWriteBacks(deps, 'acme', [ticketId]);
  }

  it('writes a ticket changed ten times in a second once, after it was left alone', async () => {
    let last = 0;
    for (let i = 0; i < 10; i++) {
      await change('30001', 'CR/2026-Q4');
      last = Date.now();
      await sleep(80);
    }
    await eventually(() => (runs.get('30001')?.length ?? 0) >= 1, 'the write-back to run', 10_000, 20);
    await sleep(COALESCE_MS * 2);
    expect(runs.get('30001')).toHaveLength(1);
    expect(runs.get('30001')![0]!).toBeGreaterThanOrEqual(last + COALESCE_MS - 20);
  });

  it('writes a ticket that never rests within the hold limit of its first change', async () => {
    const first = Date.now();
    const until = first + HOLD_AT_MOST_MS + 1500;
    while (Date.now() < until && (runs.get('30002')?.length ?? 0) === 0) {
      await change('30002', 'CR/2026-Q4');
      await sleep(50);
    }
    const ran = runs.get('30002') ?? [];
    expect(ran.length).toBeGreaterThanOrEqual(1);
    expect(ran[0]! - first).toBeLessThan(HOLD_AT_MOST_MS + 600);
    expect(ran[0]! - first).toBeGreaterThanOrEqual(HOLD_AT_MOST_MS - 100);
  });

  it("holds a pool's write-back (its figures moved) until the pool rests", async () => {
    await enqueuePoolWriteBack(deps, 'acme', 'CR/2027-Q1');
    let last = 0;
    for (let i = 0; i < 10; i++) {
      await runtime.activity.touch('acme', `other-${i}`, ['CR/2027-Q1']);
      await enqueuePoolWriteBack(deps, 'acme', 'CR/2027-Q1');
      last = Date.now();
      await sleep(80);
    }
    await eventually(() => (poolRuns.get('CR/2027-Q1')?.length ?? 0) >= 1, "the pool's write-back to run", 10_000, 20);
    await sleep(COALESCE_MS * 2);
    expect(poolRuns.get('CR/2027-Q1')).toHaveLength(1);
    expect(poolRuns.get('CR/2027-Q1')![0]!).toBeGreaterThanOrEqual(last + COALESCE_MS - 20);
  });

  it('does not wait when nothing changed lately', async () => {
    const queued = Date.now();
    await enqueueWriteBacks(deps, 'acme', ['30004']);
    await eventually(() => (runs.get('30004')?.length ?? 0) >= 1, 'the write-back to run', 10_000, 20);
    expect(runs.get('30004')![0]! - queued).toBeLessThan(COALESCE_MS + 400);
  });
});
