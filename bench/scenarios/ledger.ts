/**
 * 4. Ledger. (a) One pool of 1,000 requests: the time to apply one event (read the ticket from a
 * tracker in memory, compare-and-set the ledger, recompute the pool, queue its write-backs), in
 * this process, event after event. (b) 100,000 requests across 2,000 pools in Redis: a worker
 * process (the real workers over the memory tracker) takes events touching every pool; its peak
 * RSS, and Redis memory, are reported.
 */
import { Redis } from 'ioredis';
import { configFileSchema } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime } from '@pool-guard/shared/runtime';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { recomputePool } from '@pool-guard/worker';
import { fillLedger, workerDeps } from '../support/memory-ledger.js';
import { memoryTicketId, memoryTrackerPlugin } from '../support/memory-tracker.js';
import { startTs } from '../support/processes.js';
import { JIRA_TENANT, startService, writeBenchConfig } from '../support/services.js';
import { sleep, summarize, waitFor, type LatencySummary } from '../support/stats.js';

export interface LedgerOptions {
  redisUrl: string;
  bigPoolSize: number;
  bigPoolEvents: number;
  requests: number;
  pools: number;
  /** Events sent to the worker process in (b), spread over all pools. */
  touchEvents: number;
}

export interface LedgerResult {
  bigPool: { size: number; events: number; applyMs: LatencySummary };
  many: { requests: number; pools: number; fillSec: number; workerPeakRssMb: number; workerIdleRssMb: number; eventsApplied: number; redisUsedMb: number; redisUsedAfterMb: number };
}

async function usedMemoryMb(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const m = /used_memory:(\d+)/.exec(info);
  return m ? Number(m[1]) / 1024 / 1024 : Number.NaN;
}

export async function runLedger(options: LedgerOptions, log: (s: string) => void): Promise<LedgerResult> {
  const redis = new Redis(options.redisUrl);
  await redis.flushdb();
  const benchConfig = writeBenchConfig({
    redisKeyPrefix: 'bench-ledger',
    jira: { baseUrl: 'http://127.0.0.1:9', email: 'bot@example.com', apiToken: 'unused' },
    linear: { apiUrl: 'http://127.0.0.1:9/graphql', apiKey: 'lin_api_unused' },
  });
  const config = configFileSchema.parse(benchConfig.raw);
  const runtime = createRuntime({ config, redisUrl: options.redisUrl, plugins: { jira: memoryTrackerPlugin, linear: linearPlugin }, logger: silentLogger() });
  const tenant = runtime.tenants.get(JIRA_TENANT)!;
  try {
    // (a) one pool of bigPoolSize requests, in a process set up as the worker is
    let times: number[] | null = null;
    const child = startTs('bench/children/ledger-apply.ts', {
      name: 'ledger apply',
      env: { POOLGUARD_CONFIG: benchConfig.path, REDIS_URL: options.redisUrl, LOG_LEVEL: 'warn' },
      args: [String(options.bigPoolSize), String(options.bigPoolEvents)],
      onLine: (line) => {
        if (line.startsWith('{')) times = (JSON.parse(line) as { times: number[] }).times;
      },
    });
    const code = await child.exited();
    if (code !== 0 || times === null) throw new Error(`ledger apply exited with code ${code}:\n${child.stderr()}`);
    const applyMs = summarize(times);
    log(`  ledger: pool of ${options.bigPoolSize}: apply p50 ${applyMs.p50.toFixed(2)} ms, p95 ${applyMs.p95.toFixed(2)} ms, p99 ${applyMs.p99.toFixed(2)} ms, max ${applyMs.max.toFixed(2)} ms over ${options.bigPoolEvents} events`);
    await redis.flushdb();

    // (b) many requests across many pools
    const perPool = Math.ceil(options.requests / options.pools);
    const quarters = ['2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4'];
    const scopes = Math.ceil(options.pools / quarters.length);
    const poolIds: string[] = [];
    for (let s = 0; s < scopes && poolIds.length < options.pools; s++) {
      for (const q of quarters) if (poolIds.length < options.pools) poolIds.push(`S${String(s).padStart(4, '0')}/${q}`);
    }
    const fillStart = Date.now();
    const quiet = workerDeps(runtime, true);
    for (const p of poolIds) await runtime.store.setPoolSettings(JIRA_TENANT, p, { limitDays: perPool * 2, warnAtPercent: 80 });
    const ids = poolIds.flatMap((p) => {
      const [scope, quarter] = p.split('/') as [string, string];
      return Array.from({ length: perPool }, (_, i) => memoryTicketId(scope, quarter, i + 1));
    });
    await fillLedger(runtime, JIRA_TENANT, ids, 64);
    let nextPool = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let guard = 0; guard < poolIds.length && nextPool < poolIds.length; guard++) await recomputePool(quiet, tenant, poolIds[nextPool++]!);
      }),
    );
    const fillSec = (Date.now() - fillStart) / 1000;
    const redisUsedMb = await usedMemoryMb(redis);
    log(`  ledger: ${ids.length} requests in ${poolIds.length} pools filled in ${fillSec.toFixed(1)} s; redis ${redisUsedMb.toFixed(1)} MB`);

    const worker = await startService('bench/children/memory-worker.ts', benchConfig, options.redisUrl, {}, 'memory worker');
    let peak = 0;
    let idle = 0;
    try {
      await sleep(options.touchEvents > 100 ? 500 : 100);
      idle = worker.child.rss();
      const sampler = setInterval(() => {
        peak = Math.max(peak, worker.child.rss());
      }, 100);
      const touches = Math.min(options.touchEvents, ids.length);
      for (let i = 0; i < touches; i++) {
        const p = poolIds[i % poolIds.length]!;
        const [scope, quarter] = p.split('/') as [string, string];
        const id = memoryTicketId(scope, quarter, 1 + Math.floor(i / poolIds.length));
        await runtime.queues.add('tracker.event.apply', {
          tenant: JIRA_TENANT,
          deliveryId: `ledger-${i}`,
          receivedAt: Date.now(),
          event: { kind: 'ticket.changed', ticketKey: id, ticketId: id, actorId: 'someone', updatedAt: null },
        });
      }
      const deadline = Date.now() + 120_000;
      await waitFor(
        async () => (await runtime.queues.events.getJobCounts('waiting', 'active', 'delayed')).waiting === 0 || Date.now() > deadline,
        'the worker to take every event',
        130_000,
        50,
      );
      // Let the write-backs of those pools run for a while too.
      await sleep(options.touchEvents > 100 ? 5_000 : 200);
      clearInterval(sampler);
      peak = Math.max(peak, worker.child.rss());
      const counts = await runtime.queues.events.getJobCounts('completed');
      const redisUsedAfterMb = await usedMemoryMb(redis);
      log(`  ledger: worker RSS idle ${(idle / 1048576).toFixed(0)} MB, peak ${(peak / 1048576).toFixed(0)} MB; redis after ${redisUsedAfterMb.toFixed(1)} MB`);
      return {
        bigPool: { size: options.bigPoolSize, events: options.bigPoolEvents, applyMs },
        many: {
          requests: ids.length,
          pools: poolIds.length,
          fillSec,
          workerPeakRssMb: peak / 1048576,
          workerIdleRssMb: idle / 1048576,
          eventsApplied: counts.completed ?? 0,
          redisUsedMb,
          redisUsedAfterMb,
        },
      };
    } finally {
      await worker.child.stop();
    }
  } finally {
    await runtime.close();
    await redis.flushdb();
    redis.disconnect();
  }
}
