/**
 * A tracker pause (after a 429) ends when the tracker said, however many jobs find the tenant
 * paused meanwhile. Each such job used to push the pause 250 ms further, so a busy queue kept the
 * tenant paused for good (the soak: 2,000 events stuck for minutes after one 429).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema, type ConfigFile } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { eventually, testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { createWorkers, type PoolGuardWorkers } from '../src/create-workers.js';
import type { WorkerDeps } from '../src/worker-deps.js';

describe('a tracker pause', () => {
  let config: ConfigFile;
  let runtime: Runtime;
  let deps: WorkerDeps;
  let workers: PoolGuardWorkers | null = null;

  beforeAll(() => {
    config = configFileSchema.parse({
      adminTokens: [{ token: 'pause-admin-token-0123456789' }],
      tenants: [{ id: 'acme', tracker: 'jira', baseUrl: 'https://acme.atlassian.net', email: 'bot@example.com', apiToken: 't', webhookSecret: 's' }],
      worker: { concurrency: 4, coalesceMs: 0 },
      redisKeyPrefix: uniquePrefix('pause'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    deps = { ...runtime, coalesceMs: 0, reconcile: config.reconcile };
  });

  afterAll(async () => {
    await workers?.close(500);
    await runtime.queues.writeback.obliterate({ force: true }).catch(() => undefined);
    await runtime.close();
  });

  it('ends on time while dozens of jobs keep finding the tenant paused', async () => {
    // Write-backs of tickets the ledger does not know: once the pause is over each ends at once.
    for (let i = 0; i < 40; i++) await runtime.queues.add('tracker.writeback', { tenant: 'acme', ticketId: String(20_000 + i) });
    const pausedAt = Date.now();
    await runtime.throttle.pauseUntil('acme', pausedAt + 500);
    workers = createWorkers(deps, { connection: runtime.bullConnection, redisKeyPrefix: config.redisKeyPrefix, concurrency: 4, scheduleSweeps: false });

    await eventually(async () => (await runtime.queues.writeback.getCompletedCount()) === 40, 'every write-back to run after the pause', 15_000, 50);
    expect(Date.now() - pausedAt).toBeLessThan(10_000);
    expect(await runtime.throttle.pausedUntil('acme')).toBe(0);
  }, 30_000);
});
