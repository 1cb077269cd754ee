/**
 * `worker.lockDurationMs`: BullMQ's job lock and stalled-job check follow it, and so does the
 * per-ticket write lock, so a write-back whose worker died runs again on another worker within
 * about twice the lock duration and finds its ticket free.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema, type ConfigFile } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { eventually, testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { createWorkers, type PoolGuardWorkers } from '../src/create-workers.js';
import { writeLockTtlMs } from '../src/use-cases/write-back-ticket.js';
import type { WorkerDeps } from '../src/worker-deps.js';

const TENANT = {
  id: 'hang',
  tracker: 'jira',
  email: 'bot@example.com',
  apiToken: 'token',
  webhookSecret: 'secret',
};

describe('worker.lockDurationMs', () => {
  const sockets = new Set<Socket>();
  let hole: Server;
  let config: ConfigFile;
  let runtime: Runtime;
  let deps: WorkerDeps;
  const running: PoolGuardWorkers[] = [];

  beforeAll(async () => {
    // A tracker that accepts connections and never answers: the write-back hangs while holding its ticket.
    hole = createServer((s) => {
      s.on('error', () => undefined);
      if (!hole.listening) s.destroy(); // closing: a retried call must not keep it open
      else sockets.add(s);
    });
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
    const { port } = hole.address() as { port: number };
    config = configFileSchema.parse({
      adminTokens: [{ token: 'lock-admin-token-0123456789' }],
      tenants: [{ ...TENANT, baseUrl: `http://127.0.0.1:${port}` }],
      worker: { concurrency: 2, coalesceMs: 0, lockDurationMs: 1000 },
      redisKeyPrefix: uniquePrefix('lock'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    deps = { ...runtime, coalesceMs: config.worker.coalesceMs, lockDurationMs: config.worker.lockDurationMs, reconcile: config.reconcile };
  });

  afterAll(async () => {
    const closed = new Promise<void>((r) => hole.close(() => r()));
    for (const s of sockets) s.destroy();
    await Promise.all(running.map((w) => w.close(200)));
    await new Promise((r) => setTimeout(r, 100));
    for (const q of [runtime.queues.events, runtime.queues.writeback, runtime.queues.reconcile]) await q.obliterate({ force: true }).catch(() => undefined);
    await runtime.close();
    await closed;
  });

  it('defaults to 30 s (ticket write locks 60 s, as before)', () => {
    const defaults = configFileSchema.parse({ adminTokens: [{ token: 'lock-admin-token-0123456789' }], tenants: [{ ...TENANT, baseUrl: 'https://acme.atlassian.net' }] });
    expect(defaults.worker.lockDurationMs).toBe(30_000);
    expect(writeLockTtlMs({})).toBe(60_000);
    expect(() => configFileSchema.parse({ ...defaults, worker: { lockDurationMs: 10 } })).toThrow();
  });

  it("hands a dead worker's write-back to another worker within about twice the lock duration, ticket lock free", async () => {
    const options = { connection: runtime.bullConnection, redisKeyPrefix: config.redisKeyPrefix, concurrency: 2, scheduleSweeps: false };
    const first = createWorkers(deps, options);
    running.push(first);
    for (const w of first.workers) {
      expect(w.opts.lockDuration).toBe(1000);
      expect(w.opts.stalledInterval).toBe(1000);
    }

    const request = {
      key: 'CR-1',
      id: '10001',
      title: 'Hangs',
      scope: 'CR',
      quarter: '2026-Q4',
      days: 2,
      committed: false,
      rank: null,
      createdAt: '2026-10-01T00:00:00.000Z',
      updatedAt: '2026-10-01T00:00:00.000Z',
    };
    await runtime.store.setPoolSettings('hang', 'CR/2026-Q4', { limitDays: 10, warnAtPercent: 80 });
    await runtime.store.applyTicketChange('hang', '10001', { kind: 'upsert', updatedAt: request.updatedAt, request }, { key: 'CR-1', excluded: null });
    await runtime.queues.add('tracker.writeback', { tenant: 'hang', ticketId: '10001' });

    // The first worker holds the ticket while its tracker call hangs; the lock lives 2 × 1 s.
    const lockKey = runtime.keys.tenant('hang').writeLock('10001');
    const firstHolder = await eventually(() => runtime.redis.get(lockKey), 'the write-back to take its ticket lock', 10_000, 20);
    const ttl = await runtime.redis.pttl(lockKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2000);

    // "kill -9": the first worker stops renewing its locks and never finishes.
    await Promise.all(first.workers.map((w) => w.close(true)));
    const killedAt = Date.now();
    const second = createWorkers(deps, options);
    running.push(second);

    // The job runs again, and gets past the ticket lock (a new holder), well within 30 s.
    const secondHolder = await eventually(
      async () => {
        const holder = await runtime.redis.get(lockKey);
        return holder !== null && holder !== firstHolder ? holder : null;
      },
      'another worker to take the ticket',
      10_000,
      20,
    );
    expect(secondHolder).not.toBe(firstHolder);
    expect(Date.now() - killedAt).toBeLessThan(6_000);
    const [job] = await runtime.queues.writeback.getJobs(['active']);
    expect(job?.attemptsStarted).toBeGreaterThanOrEqual(2);
  }, 30_000);
});
