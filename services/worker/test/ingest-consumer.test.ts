/**
 * The worker's side of the ingest stream (decision record 0006), on a real Redis, real BullMQ and
 * the sandbox Jira: a tenant's deliveries are applied as one burst (each ticket read once from the
 * tracker); an event that fails in a burst becomes an event job that retries; deliveries a dead
 * worker left pending are taken over; deliveries handed back go to whoever reads next.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { createJiraSandbox, type JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import { configFileSchema } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { INGEST_GROUP, type IngestEntry } from '@pool-guard/shared/queue';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { eventually, testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { startIngestConsumer } from '../src/ingest-consumer.js';
import { createWorkers, type PoolGuardWorkers } from '../src/index.js';

const LOCK_MS = 1_000;

describe('the ingest stream consumer', () => {
  let sandbox: JiraSandbox;
  let runtime: Runtime;
  let workers: PoolGuardWorkers | null = null;
  let seq = 0;
  // A tracker that takes connections and never answers: tenant "stuck".
  const sockets = new Set<Socket>();
  const hole: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });

  beforeAll(async () => {
    sandbox = createJiraSandbox({ webhookJitterMs: 0 });
    const url = await sandbox.listen(0);
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
    const holeUrl = `http://127.0.0.1:${(hole.address() as { port: number }).port}`;
    const config = configFileSchema.parse({
      adminTokens: [{ token: 'ingest-consumer-admin-token-01', role: 'admin' }],
      tenants: [
        { id: 'acme', tracker: 'jira', baseUrl: url, email: sandbox.users.bot.email, apiToken: sandbox.users.bot.apiToken, webhookSecret: 'ingest-consumer-secret' },
        { id: 'stuck', tracker: 'jira', baseUrl: holeUrl, email: 'bot@example.com', apiToken: 'x', webhookSecret: 'ingest-consumer-secret' },
      ],
      // Write-backs wait long enough not to read the tickets while the test counts the events' reads.
      worker: { coalesceMs: 10_000 },
      redisKeyPrefix: uniquePrefix('ingest-consumer'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    await runtime.queues.ingest.ensureGroup();
  });
  afterEach(async () => {
    await workers?.close(2_000);
    workers = null;
  });
  afterAll(async () => {
    for (const q of [runtime.queues.events, runtime.queues.writeback, runtime.queues.reconcile]) await q.obliterate({ force: true }).catch(() => undefined);
    await runtime.redis.del(runtime.queues.ingest.key);
    await runtime.close();
    await sandbox.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((r) => hole.close(() => r()));
  });

  const startWorkers = () => {
    workers = createWorkers(
      { ...runtime, coalesceMs: 10_000, lockDurationMs: LOCK_MS, reconcile: runtime.config.reconcile },
      { connection: runtime.bullConnection, redisKeyPrefix: runtime.config.redisKeyPrefix, concurrency: 4, scheduleSweeps: false },
    );
  };
  const newTicket = (summary: string) =>
    sandbox.createIssue({ project: 'CR', summary, labels: ['custom-request'], originalEstimate: '2d', dueDate: '2026-11-20' });
  const delivery = (issue: { id: string; key: string; updatedMs: number }): IngestEntry => ({
    tenant: 'acme',
    deliveryId: `ingest-${++seq}`,
    receivedAt: Date.now(),
    events: [{ kind: 'ticket.changed', ticketKey: issue.key, ticketId: issue.id, actorId: sandbox.users.sales.accountId, updatedAt: issue.updatedMs }],
  });
  const append = (entry: IngestEntry) => runtime.queues.ingest.appendOnce(entry, { deduplicationId: `acme:${entry.deliveryId}`, ttlMs: 60_000 });
  const counted = async (id: string) => (await runtime.store.getTicket('acme', id))?.state.request?.days ?? null;
  const issueReads = (id: string, from: number) => sandbox.requestLog.slice(from).filter((e) => e.method === 'GET' && e.path === `/rest/api/3/issue/${id}`).length;

  it("applies a tenant's waiting deliveries as one burst: each ticket is read from the tracker once", async () => {
    const issues = [newTicket('Burst one'), newTicket('Burst two'), newTicket('Burst three')];
    const from = sandbox.requestLog.length;
    // Four deliveries per ticket (a bulk edit), all waiting before any worker runs.
    for (let round = 0; round < 4; round++) for (const issue of issues) expect(await append(delivery(issue))).toBe(true);
    expect(await runtime.queues.ingest.backlog()).toBe(12);
    startWorkers();
    await eventually(async () => (await runtime.queues.ingest.backlog()) === 0, 'the deliveries to be applied', 10_000, 20);
    for (const issue of issues) {
      expect(await counted(issue.id)).toBe(2);
      expect(issueReads(issue.id, from)).toBe(1);
    }
    // None went the job way.
    expect(await runtime.queues.events.getJobCountByTypes('waiting', 'delayed', 'active', 'completed', 'failed')).toBe(0);
  });

  it('queues an event that failed in its burst as an event job, which applies it on retry', async () => {
    startWorkers();
    const issue = newTicket('Fails once');
    sandbox.faults.add({ method: 'GET', path: `/rest/api/3/issue/${issue.id}`, status: 500, times: 1 });
    const entry = delivery(issue);
    await append(entry);
    await eventually(async () => (await counted(issue.id)) === 2, 'the event to be applied by its retry', 15_000, 50);
    const job = await runtime.queues.events.getJob(`acme:${entry.deliveryId}:0`);
    expect(job?.name).toBe('tracker.event.apply');
    // The job completes once its write-backs are queued, just after the ticket's record is stored.
    await eventually(async () => (await job?.getState()) === 'completed', 'the event job to complete', 5_000, 20);
    // Done (acknowledged and deleted) just after its events are applied.
    await eventually(async () => (await runtime.queues.ingest.backlog()) === 0, 'the delivery to be done', 5_000, 20);
  });

  it('takes over deliveries a dead worker read and never finished', async () => {
    const issue = newTicket('Left by a dead worker');
    await append(delivery(issue));
    // A worker that read the delivery and died: it stays pending for that consumer.
    const dead = new Redis(testRedisUrl());
    try {
      const read = await runtime.queues.ingest.read(dead, 'dead-worker', 10, 100);
      expect(read).toHaveLength(1);
    } finally {
      dead.disconnect();
    }
    startWorkers();
    await eventually(async () => (await counted(issue.id)) === 2, 'the delivery to be taken over and applied', 10_000, 50);
    // Done (acknowledged and deleted) just after its events are applied.
    await eventually(async () => (await runtime.queues.ingest.backlog()) === 0, 'the delivery to be done', 5_000, 20);
    const pending = (await runtime.redis.xpending(runtime.queues.ingest.key, INGEST_GROUP)) as [number, ...unknown[]];
    expect(pending[0]).toBe(0);
  });

  it('reads on when the stream and its group are gone (a Redis without persistence restarted)', async () => {
    startWorkers();
    const first = newTicket('Before the restart');
    await append(delivery(first));
    await eventually(async () => (await counted(first.id)) === 2, 'the first delivery to be applied', 10_000, 50);
    await runtime.redis.del(runtime.queues.ingest.key);
    const second = newTicket('After the restart');
    await append(delivery(second));
    await eventually(async () => (await counted(second.id)) === 2, 'the delivery after the restart to be applied', 15_000, 50);
    // Done (acknowledged and deleted) just after its events are applied.
    await eventually(async () => (await runtime.queues.ingest.backlog()) === 0, 'the delivery to be done', 5_000, 20);
  });

  it("hands a stuck tenant's waiting deliveries to the events queue, keeps applying the others', and hands back the stuck burst on close", async () => {
    const stuck = (n: number): IngestEntry => ({
      tenant: 'stuck',
      deliveryId: `stuck-${++seq}`,
      receivedAt: Date.now(),
      events: [{ kind: 'ticket.changed', ticketKey: `CR-${n}`, ticketId: `${20000 + n}`, actorId: 'someone', updatedAt: Date.now() }],
    });
    const first = stuck(1);
    await append(first);
    const consumer = startIngestConsumer(
      { ...runtime, coalesceMs: 10_000, lockDurationMs: LOCK_MS, reconcile: runtime.config.reconcile },
      { connection: runtime.redis.duplicate(), claimIdleMs: LOCK_MS, tenantConcurrency: 2, slowLaneMs: 500 },
    );
    try {
      // The first burst hangs on the tracker; the next two deliveries wait behind it.
      await eventually(async () => (await runtime.redis.xpending(runtime.queues.ingest.key, INGEST_GROUP) as [number])[0] === 1, 'the first delivery to be taken', 5_000, 20);
      const waiting = [stuck(2), stuck(3)];
      for (const entry of waiting) await append(entry);
      // A healthy tenant's delivery is applied meanwhile.
      const issue = newTicket('Beside a stuck tenant');
      await append(delivery(issue));
      await eventually(async () => (await counted(issue.id)) === 2, "the healthy tenant's delivery to be applied", 10_000, 50);
      // Past slowLaneMs the stuck tenant's waiting deliveries become event jobs, and leave the stream.
      for (const entry of waiting) {
        const job = await eventually(async () => runtime.queues.events.getJob(`stuck:${entry.deliveryId}:0`), `a job for ${entry.deliveryId}`, 10_000, 50);
        expect(job.data).toMatchObject({ tenant: 'stuck', deliveryId: entry.deliveryId });
      }
      await eventually(async () => (await runtime.queues.ingest.backlog()) === 1, 'only the stuck burst to be left on the stream', 5_000, 20);
    } finally {
      await consumer.close(200);
    }
    // The burst still stuck at close is back on the stream as a new entry, for the next worker.
    const left = await runtime.queues.ingest.entries();
    expect(left.map((r) => r.entry?.deliveryId)).toEqual([first.deliveryId]);
    expect(((await runtime.redis.xpending(runtime.queues.ingest.key, INGEST_GROUP)) as [number])[0]).toBe(0);
    await runtime.queues.ingest.done(left.map((r) => r.id));
    await runtime.queues.events.obliterate({ force: true });
  }, 30_000);

  it('hands unfinished deliveries back: another consumer reads them as new, and they are not pending any more', async () => {
    const issue = newTicket('Handed back');
    const stream = runtime.queues.ingest;
    await append(delivery(issue));
    const reader = new Redis(testRedisUrl());
    try {
      const [held] = await stream.read(reader, 'stopping-worker', 10, 100);
      expect(held?.entry?.events[0]?.ticketId).toBe(issue.id);
      expect(await stream.handBack([held!])).toBe(1);
      // Once handed back, a second hand-back of the same entry does nothing.
      expect(await stream.handBack([held!])).toBe(0);
      const [again] = await stream.read(reader, 'next-worker', 10, 100);
      expect(again?.id).not.toBe(held!.id);
      expect(again?.entry).toEqual(held!.entry);
      await stream.done([again!.id]);
      expect(await stream.backlog()).toBe(0);
    } finally {
      reader.disconnect();
    }
  });
});
