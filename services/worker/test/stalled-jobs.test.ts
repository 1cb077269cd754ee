/**
 * Jobs whose workers die: they run again (several stalls are tolerated, jobs being idempotent), and
 * a job that stalls more often than allowed is failed by BullMQ itself, without our processor ever
 * running; it must still land on the dead-letter queue, or the lost event or write-back is silent.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema, type ConfigFile } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { listDeadLetters } from '@pool-guard/shared/queue';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { eventually, testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { createWorkers, MAX_STALLED_COUNT, type PoolGuardWorkers, type WorkersOptions } from '../src/create-workers.js';
import type { WorkerDeps } from '../src/worker-deps.js';

describe('stalled jobs', () => {
  let config: ConfigFile;
  let runtime: Runtime;
  let deps: WorkerDeps;
  const running: PoolGuardWorkers[] = [];
  let release!: () => void;

  beforeAll(() => {
    config = configFileSchema.parse({
      adminTokens: [{ token: 'stall-admin-token-0123456789' }],
      tenants: [{ id: 'acme', tracker: 'jira', baseUrl: 'https://acme.atlassian.net', email: 'bot@example.com', apiToken: 't', webhookSecret: 's' }],
      worker: { concurrency: 2, coalesceMs: 0, lockDurationMs: 1000 },
      redisKeyPrefix: uniquePrefix('stall'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    // Every write-back hangs at its first read of the ledger until released: its worker "dies" there.
    const held = new Promise<void>((r) => (release = r));
    const store = Object.create(runtime.store) as typeof runtime.store;
    store.getTicketAndWritten = async (tenant, ticketId) => {
      await held;
      return runtime.store.getTicketAndWritten(tenant, ticketId);
    };
    deps = { ...runtime, store, coalesceMs: 0, lockDurationMs: 1000, reconcile: config.reconcile };
  });

  afterAll(async () => {
    release();
    await Promise.all(running.map((w) => w.close(500)));
    for (const q of [runtime.queues.writeback, runtime.queues.deadLetters]) await q.obliterate({ force: true }).catch(() => undefined);
    await runtime.close();
  });

  const options = (extra: Partial<WorkersOptions> = {}): WorkersOptions => ({
    connection: runtime.bullConnection,
    redisKeyPrefix: config.redisKeyPrefix,
    concurrency: 2,
    scheduleSweeps: false,
    ...extra,
  });

  it('tolerates several stalls per job by default', () => {
    const workers = createWorkers(deps, options());
    running.push(workers);
    for (const w of workers.workers) expect(w.opts.maxStalledCount).toBe(MAX_STALLED_COUNT);
    expect(MAX_STALLED_COUNT).toBeGreaterThanOrEqual(3);
  });

  it('puts a job that stalled too often on the dead-letter queue', async () => {
    await Promise.all(running.splice(0).map((w) => w.close(200)));
    await runtime.queues.add('tracker.writeback', { tenant: 'acme', ticketId: '10001' });
    const first = createWorkers(deps, options({ maxStalledCount: 0 }));
    await eventually(async () => (await runtime.queues.writeback.getActiveCount()) === 1, 'the write-back to start', 10_000, 20);
    // "kill -9": the worker stops renewing its lock and never finishes the job.
    await Promise.all(first.workers.map((w) => w.close(true)));
    running.push(createWorkers(deps, options({ maxStalledCount: 0 })));

    const [letter] = await eventually(async () => {
      const letters = await listDeadLetters(runtime.queues.deadLetters);
      return letters.length > 0 ? letters : null;
    }, 'the stalled job to reach the dead-letter queue', 10_000, 50);
    expect(letter).toMatchObject({ tenant: 'acme', name: 'tracker.writeback', failedReason: 'job stalled more than allowable limit' });
  }, 20_000);
});
