/**
 * A ticket's write-back waits out a backlog of events (more than EVENTS_BACKLOG_HOLD not applied)
 * in its worker slot: it runs as soon as the backlog is down, or at its deadline, without going
 * through the delayed set step by step; a worker that closes hands it back to the queue, held.
 *
 * Only the write-back queue has a worker here, so the events queued stay waiting: that is the
 * backlog.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Worker } from 'bullmq';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema, type ConfigFile } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { QUEUE_NAMES, queuePrefix } from '@pool-guard/shared/queue';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { eventually, testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { BACKLOG_READ_EVERY_MS, EVENTS_BACKLOG_HOLD, HOLD_AT_MOST_MS } from '../src/processors/burst-hold.js';
import { createWriteBackProcessor, type WriteBackProcessor } from '../src/processors/write-back-processor.js';
import { enqueueWriteBacks, writeBackDeduplicationId } from '../src/use-cases/enqueue-write-backs.js';
import type { WorkerDeps } from '../src/worker-deps.js';

const COALESCE_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('write-backs held for a backlog of events', () => {
  let config: ConfigFile;
  let runtime: Runtime;
  let deps: WorkerDeps;
  let processor: WriteBackProcessor;
  let worker: Worker;
  /** When each ticket's write-back ran (it reads the ticket once it holds it). */
  const runs = new Map<string, number[]>();

  beforeAll(async () => {
    config = configFileSchema.parse({
      adminTokens: [{ token: 'backlog-admin-token-0123456789' }],
      tenants: [{ id: 'acme', tracker: 'jira', baseUrl: 'https://acme.atlassian.net', email: 'bot@example.com', apiToken: 't', webhookSecret: 's' }],
      worker: { concurrency: 4, coalesceMs: COALESCE_MS },
      redisKeyPrefix: uniquePrefix('backlog'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    const store = Object.create(runtime.store) as typeof runtime.store;
    store.getTicketAndWritten = async (tenant, ticketId) => {
      runs.set(ticketId, [...(runs.get(ticketId) ?? []), Date.now()]);
      return runtime.store.getTicketAndWritten(tenant, ticketId);
    };
    deps = { ...runtime, store, coalesceMs: COALESCE_MS, reconcile: config.reconcile };
    startWorker();
  });

  function startWorker(): void {
    processor = createWriteBackProcessor(deps);
    worker = new Worker(QUEUE_NAMES.writeback, processor.process, { connection: runtime.bullConnection, prefix: queuePrefix(config.redisKeyPrefix), concurrency: 4 });
  }

  afterEach(async () => {
    await runtime.queues.events.drain(true);
    const busy = () => runtime.queues.writeback.getJobCountByTypes('waiting', 'delayed', 'prioritized', 'active');
    await eventually(async () => (await busy()) === 0, 'the write-backs to finish', 10_000, 20);
  });

  afterAll(async () => {
    await worker.close();
    await runtime.queues.writeback.obliterate({ force: true }).catch(() => undefined);
    await runtime.queues.events.obliterate({ force: true }).catch(() => undefined);
    await runtime.close();
  });

  /**
   * `count` events waiting to be applied, once the worker's reading of the backlog (renewed at most
   * every BACKLOG_READ_EVERY_MS) can no longer be the previous test's.
   */
  async function backlogOf(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await runtime.queues.add('tracker.event.apply', {
        tenant: 'acme',
        deliveryId: `backlog-${Date.now()}-${i}`,
        receivedAt: Date.now(),
        event: { kind: 'ticket.changed', ticketKey: `CR-${i}`, ticketId: String(50_000 + i), actorId: null, updatedAt: null },
      });
    }
    expect(await runtime.queues.events.getWaitingCount()).toBe(count);
    await sleep(BACKLOG_READ_EVERY_MS + 50);
  }

  const counts = () => runtime.queues.writeback.getJobCounts('active', 'delayed', 'waiting', 'completed');

  it('holds the write-back in its slot while events back up, and runs it once they are applied', async () => {
    await backlogOf(EVENTS_BACKLOG_HOLD + 20);
    await enqueueWriteBacks(deps, 'acme', ['40001']);
    // Past its coalesce delay the job is taken, and held by the worker: active, not delayed.
    await eventually(async () => (await counts()).active === 1, 'the write-back to be taken', 5_000, 20);
    await sleep(600);
    expect(runs.get('40001')).toBeUndefined();
    expect(await counts()).toMatchObject({ active: 1, delayed: 0 });
    // The events are applied (here: removed); the write-back runs within a look or two.
    const drained = Date.now();
    await runtime.queues.events.drain(true);
    await eventually(() => (runs.get('40001')?.length ?? 0) === 1, 'the write-back to run', 5_000, 10);
    expect(runs.get('40001')![0]! - drained).toBeLessThan(700);
    // It was taken once: never sent back to the delayed set to look again.
    await eventually(async () => (await counts()).completed === 1, 'the write-back to complete', 5_000, 20);
    const [job] = await runtime.queues.writeback.getJobs(['completed']);
    expect(job!.attemptsStarted).toBe(1);
  });

  it('does not hold it for a backlog of EVENTS_BACKLOG_HOLD or fewer', async () => {
    await backlogOf(EVENTS_BACKLOG_HOLD);
    const queued = Date.now();
    await enqueueWriteBacks(deps, 'acme', ['40002']);
    await eventually(() => (runs.get('40002')?.length ?? 0) === 1, 'the write-back to run', 5_000, 10);
    expect(runs.get('40002')![0]! - queued).toBeLessThan(COALESCE_MS + 500);
  });

  it('runs it at its deadline when the backlog never goes down', async () => {
    await backlogOf(EVENTS_BACKLOG_HOLD + 1);
    const queued = Date.now();
    await enqueueWriteBacks(deps, 'acme', ['40003']);
    await eventually(() => (runs.get('40003')?.length ?? 0) === 1, 'the write-back to run', HOLD_AT_MOST_MS + 5_000, 20);
    const waited = runs.get('40003')![0]! - queued;
    expect(waited).toBeGreaterThanOrEqual(HOLD_AT_MOST_MS - 50);
    expect(waited).toBeLessThan(HOLD_AT_MOST_MS + 500);
  });

  it('hands a held write-back back to the queue when the worker closes, still held and deduplicated', async () => {
    await backlogOf(EVENTS_BACKLOG_HOLD + 20);
    await enqueueWriteBacks(deps, 'acme', ['40004']);
    await eventually(async () => (await counts()).active === 1, 'the write-back to be taken', 5_000, 20);
    const closing = Date.now();
    processor.stop();
    await worker.close();
    expect(Date.now() - closing).toBeLessThan(1_000);
    expect(runs.get('40004')).toBeUndefined();
    expect(await counts()).toMatchObject({ active: 0, delayed: 1 });
    // Still the ticket's one pending write-back: another change does not queue a second.
    expect(await runtime.queues.writeback.getDeduplicationJobId(writeBackDeduplicationId('acme', '40004'))).toBeTruthy();
    await enqueueWriteBacks(deps, 'acme', ['40004']);
    expect(await runtime.queues.writeback.getJobCountByTypes('delayed', 'waiting')).toBe(1);
    // A new worker runs it once the backlog is gone.
    await runtime.queues.events.drain(true);
    startWorker();
    await eventually(() => (runs.get('40004')?.length ?? 0) === 1, 'the write-back to run', HOLD_AT_MOST_MS + 5_000, 20);
  });
});
