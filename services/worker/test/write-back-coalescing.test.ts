/**
 * Write-back coalescing when the workers fall behind: a ticket has at most one write-back job that
 * has not started, however long it waits; a change made once that job has started gets a job of
 * its own. (With a deduplication ttl equal to the coalesce window, every change after the window
 * queued another job, and a soak's backlog grew to ~20 jobs per ticket.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema, type ConfigFile } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { eventually, testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { createWorkers, type PoolGuardWorkers } from '../src/create-workers.js';
import { enqueueWriteBacks } from '../src/use-cases/enqueue-write-backs.js';
import type { WorkerDeps } from '../src/worker-deps.js';

describe('write-back coalescing under a backlog', () => {
  let config: ConfigFile;
  let runtime: Runtime;
  let deps: WorkerDeps;
  let workers: PoolGuardWorkers | null = null;

  beforeAll(async () => {
    config = configFileSchema.parse({
      adminTokens: [{ token: 'coalesce-admin-token-0123456789' }],
      tenants: [{ id: 'acme', tracker: 'jira', baseUrl: 'https://acme.atlassian.net', email: 'bot@example.com', apiToken: 't', webhookSecret: 's' }],
      worker: { concurrency: 2, coalesceMs: 30 },
      redisKeyPrefix: uniquePrefix('coalesce'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    deps = { ...runtime, coalesceMs: config.worker.coalesceMs, reconcile: config.reconcile };
  });

  afterAll(async () => {
    await workers?.close(200);
    await runtime.queues.writeback.obliterate({ force: true }).catch(() => undefined);
    await runtime.close();
  });

  const pending = () => runtime.queues.writeback.getJobCountByTypes('waiting', 'delayed', 'prioritized');

  it('keeps one job per ticket until it starts, long after the coalesce window', async () => {
    for (let i = 0; i < 5; i++) await enqueueWriteBacks(deps, 'acme', ['10001', '10002']);
    await new Promise((r) => setTimeout(r, 150)); // five windows later, nobody has taken them
    for (let i = 0; i < 5; i++) await enqueueWriteBacks(deps, 'acme', ['10001', '10002']);
    expect(await pending()).toBe(2);
  });

  it('gives a change made once the job holds its ticket a job of its own', async () => {
    // The started jobs stop at their first read of the ledger until released.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let reading = 0;
    const store = Object.create(runtime.store) as typeof runtime.store;
    store.getTicketAndWritten = async (tenant, ticketId) => {
      reading++;
      await held;
      return runtime.store.getTicketAndWritten(tenant, ticketId);
    };
    workers = createWorkers({ ...deps, store }, { connection: runtime.bullConnection, redisKeyPrefix: config.redisKeyPrefix, concurrency: 4, scheduleSweeps: false });
    await eventually(() => reading === 2, 'both write-backs to hold their tickets and read', 10_000, 20);
    expect(await pending()).toBe(0);
    await enqueueWriteBacks(deps, 'acme', ['10001']);
    expect(await pending()).toBe(1);
    release();
    await eventually(async () => (await runtime.queues.writeback.getCompletedCount()) === 3, 'all three write-backs to finish', 10_000, 20);
    await workers.close(1000);
    workers = null;
  });

  it('keeps coalescing into a job put back before it read anything (tracker paused)', async () => {
    await runtime.throttle.pauseUntil('acme', Date.now() + 1500);
    await enqueueWriteBacks(deps, 'acme', ['10003']);
    workers = createWorkers(deps, { connection: runtime.bullConnection, redisKeyPrefix: config.redisKeyPrefix, concurrency: 4, scheduleSweeps: false });
    const [job] = await runtime.queues.writeback.getJobs(['waiting', 'delayed']);
    await eventually(async () => ((await runtime.queues.writeback.getJob(job!.id!))?.attemptsStarted ?? 0) >= 1 && (await job!.isDelayed()), 'the write-back to be put back by the pause', 10_000, 20);
    for (let i = 0; i < 3; i++) await enqueueWriteBacks(deps, 'acme', ['10003']);
    expect(await pending()).toBe(1);
  });
});
