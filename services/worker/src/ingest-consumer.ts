/**
 * Applies the webhook deliveries of the ingest stream (shared/queue/ingest-stream.ts). Deliveries
 * are read in batches and kept per tenant; each tenant has one lane, which applies everything of its
 * tenant that arrived while it was busy as one burst (applyEventBatch: each ticket re-read once, each
 * pool recomputed once). A delivery is marked done once its events are applied or handed off.
 *
 * Whatever the fast path cannot do goes to the events queue as `tracker.event.apply` jobs, the
 * path with retries, rate-limit waits and dead letters: events that failed (deferred by the batch),
 * the backlog of a tenant whose lane is stuck on a slow tracker (so one tenant cannot hold up the
 * others, nor hoard deliveries), and a whole burst whose shared steps failed.
 *
 * A worker that dies leaves its deliveries pending in the consumer group; another worker (or this
 * one, restarted) takes them over once they were idle `claimIdleMs`. While a worker holds
 * deliveries it tells the group so, every third of that time. Applying an event twice is safe.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { JOBS, type IngestEntry, type IngestRecord } from '@pool-guard/shared/queue';
import type { TrackerEvent } from '@pool-guard/shared/tracker';
import { applyEventBatch } from './use-cases/apply-event-batch.js';
import type { WorkerDeps } from './worker-deps.js';

type RedisClient = Redis | Cluster;

export interface IngestConsumerOptions {
  /** A connection of its own for the blocking reads (closed by `close`). */
  connection: RedisClient;
  /** Deliveries another worker read and did not finish within this long are taken over. */
  claimIdleMs: number;
  /** Tickets of one tenant re-read from its tracker at once. */
  tenantConcurrency: number;
  /** Most deliveries held in memory (read, not yet done) at once (default 1 000). */
  maxHeld?: number;
  /** Most events one burst applies (default 500). */
  maxBurst?: number;
  /** A lane busy this long hands its tenant's waiting deliveries to the events queue (default 5 000 ms). */
  slowLaneMs?: number;
  /** How long a read waits for a delivery (default 1 000 ms; also the longest a close waits for it). */
  blockMs?: number;
}

export interface IngestConsumer {
  readonly consumer: string;
  isRunning(): boolean;
  /**
   * Stops reading and waits up to `timeoutMs` for the bursts being applied; deliveries still held
   * then are handed back to the stream for another worker.
   */
  close(timeoutMs?: number): Promise<void>;
}

/** Consumers gone (nothing pending) longer than this are removed from the group. */
const PRUNE_IDLE_MS = 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 10 * 60 * 1000;
/** The wait after a failed read or hand-off before the next try (doubling up to the cap). */
const RETRY_MS = 200;
const RETRY_MAX_MS = 5_000;

interface Lane {
  waiting: IngestRecord[];
  /** When the burst being applied started (0 = idle). */
  busySince: number;
}

export function startIngestConsumer(deps: WorkerDeps, options: IngestConsumerOptions): IngestConsumer {
  const stream = deps.queues.ingest;
  const consumer = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const maxHeld = options.maxHeld ?? 1_000;
  const maxBurst = options.maxBurst ?? 500;
  const slowLaneMs = options.slowLaneMs ?? 5_000;
  const blockMs = options.blockMs ?? 1_000;
  const claimEveryMs = Math.max(250, Math.floor(options.claimIdleMs / 2));
  const keepEveryMs = Math.max(100, Math.floor(options.claimIdleMs / 3));
  const lanes = new Map<string, Lane>();
  /** Deliveries read and not yet done, by entry id. */
  const held = new Map<string, IngestRecord>();
  const bursts = new Set<Promise<void>>();
  let wakeReader: (() => void) | null = null;
  let stopping = false;
  let running = true;
  let lastClaim = 0;
  let lastKeep = Date.now();
  let lastPrune = 0;

  const release = (records: readonly IngestRecord[]) => {
    for (const r of records) held.delete(r.id);
    wakeReader?.();
  };

  /** Queues deliveries' events (all, or the listed ones with their delays) as jobs, then marks the deliveries done. */
  async function handOff(records: readonly IngestRecord[], only?: Map<TrackerEvent, number>): Promise<void> {
    const jobs = [];
    for (const { entry } of records) {
      if (!entry) continue;
      const base = `${entry.tenant}:${safeId(entry.deliveryId)}`;
      for (const [i, event] of entry.events.entries()) {
        const delay = only ? only.get(event) : 0;
        if (delay === undefined) continue;
        jobs.push({
          name: 'tracker.event.apply' as const,
          data: { tenant: entry.tenant, deliveryId: entry.deliveryId, receivedAt: entry.receivedAt, event },
          opts: { ...JOBS['tracker.event.apply'].options, jobId: `${base}:${i}`, ...(delay > 0 ? { delay } : {}) },
        });
      }
    }
    if (jobs.length > 0) await deps.queues.events.addBulk(jobs);
    await stream.done(records.map((r) => r.id));
  }

  async function applyBurst(tenant: string, records: IngestRecord[]): Promise<void> {
    const events = records.flatMap((r) => (r.entry as IngestEntry).events);
    try {
      const outcome = await applyEventBatch(deps, tenant, events, options.tenantConcurrency);
      if (outcome.kind === 'unknown_tenant') {
        deps.logger.warn({ tenant, deliveries: records.length }, 'deliveries of a tenant no longer configured; dropped');
        await stream.done(records.map((r) => r.id));
        return;
      }
      if (outcome.deferred.length > 0) {
        deps.logger.info({ tenant, events: outcome.deferred.length, reason: outcome.deferred[0]!.reason }, 'events queued to retry');
      }
      await handOff(records, new Map(outcome.deferred.map((d) => [events[d.index]!, d.delayMs])));
      deps.logger.debug({ tenant, deliveries: records.length, ...outcome, deferred: outcome.deferred.length }, 'burst applied');
    } catch (err) {
      // A shared step failed (Redis, the tracker's account lookup): every event retries as a job.
      deps.logger.warn({ tenant, deliveries: records.length, err: (err as Error).message }, 'burst failed; its events are queued to retry');
      await handOff(records);
    }
  }

  function startLane(tenant: string, lane: Lane): void {
    if (lane.busySince !== 0 || lane.waiting.length === 0 || stopping) return;
    lane.busySince = Date.now();
    const burst: IngestRecord[] = [];
    let events = 0;
    while (lane.waiting.length > 0 && (burst.length === 0 || events + lane.waiting[0]!.entry!.events.length <= maxBurst)) {
      const next = lane.waiting.shift()!;
      events += next.entry!.events.length;
      burst.push(next);
    }
    const run = applyBurst(tenant, burst)
      .catch((err: unknown) => {
        // Not even handed off (Redis away): the deliveries stay pending and are taken over later.
        deps.logger.warn({ tenant, deliveries: burst.length, err: (err as Error).message }, 'burst neither applied nor queued; it is retried after the claim time');
      })
      .finally(() => {
        bursts.delete(run);
        lane.busySince = 0;
        release(burst);
        startLane(tenant, lane);
      });
    bursts.add(run);
  }

  /** Takes read deliveries into their tenants' lanes (unreadable ones are dropped, logged). */
  async function take(records: IngestRecord[]): Promise<void> {
    const unreadable: IngestRecord[] = [];
    for (const r of records) {
      if (held.has(r.id)) continue;
      if (!r.entry) {
        deps.logger.error({ entryId: r.id, entry: r.raw.slice(0, 200) }, 'unreadable delivery on the ingest stream; dropped');
        unreadable.push(r);
        continue;
      }
      held.set(r.id, r);
      let lane = lanes.get(r.entry.tenant);
      if (!lane) lanes.set(r.entry.tenant, (lane = { waiting: [], busySince: 0 }));
      lane.waiting.push(r);
    }
    if (unreadable.length > 0) await stream.done(unreadable.map((r) => r.id));
    for (const [tenant, lane] of lanes) {
      startLane(tenant, lane);
      if (lane.busySince === 0 && lane.waiting.length === 0) lanes.delete(tenant);
    }
  }

  /** A tenant whose lane is stuck on its tracker: its waiting deliveries go to the events queue. */
  async function relieveSlowLanes(now: number): Promise<void> {
    for (const [tenant, lane] of lanes) {
      if (lane.busySince === 0 || now - lane.busySince < slowLaneMs || lane.waiting.length === 0) continue;
      const waiting = lane.waiting.splice(0);
      deps.logger.warn({ tenant, deliveries: waiting.length, busyMs: now - lane.busySince }, 'tenant is slow: its waiting deliveries go to the events queue');
      try {
        await handOff(waiting);
        release(waiting);
      } catch (err) {
        lane.waiting.unshift(...waiting);
        throw err;
      }
    }
  }

  async function step(): Promise<void> {
    const now = Date.now();
    if (now - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = now;
      await stream.pruneConsumers(PRUNE_IDLE_MS, consumer);
    }
    if (now - lastKeep >= keepEveryMs) {
      lastKeep = now;
      await stream.keepClaimed(consumer, [...held.keys()]);
    }
    await relieveSlowLanes(now);
    const room = maxHeld - held.size;
    if (room <= 0) {
      // Full: wait for a burst to finish (or the keep-alive's turn).
      await new Promise<void>((resolve) => {
        wakeReader = resolve;
        setTimeout(resolve, Math.min(keepEveryMs, 250)).unref();
      });
      wakeReader = null;
      return;
    }
    let records: IngestRecord[] = [];
    if (now - lastClaim >= claimEveryMs) {
      lastClaim = now;
      records = (await stream.claimIdle(consumer, options.claimIdleMs, room)).filter((r) => !held.has(r.id));
      if (records.length > 0) deps.logger.info({ deliveries: records.length }, 'took over deliveries left unfinished');
    }
    if (records.length === 0) {
      // While bursts run, a short wait: the keep-alive and slow-lane checks must come round.
      records = await stream.read(options.connection, consumer, room, bursts.size > 0 ? Math.min(blockMs, 100) : blockMs);
    }
    if (records.length > 0) await take(records);
  }

  const loop = (async () => {
    let retryMs = RETRY_MS;
    while (!stopping) {
      try {
        await stream.ensureGroup();
        break;
      } catch (err) {
        deps.logger.warn({ err: (err as Error).message }, 'ingest stream: could not create the consumer group; retrying');
        await sleep(retryMs);
        retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
      }
    }
    retryMs = RETRY_MS;
    while (!stopping) {
      try {
        await step();
        retryMs = RETRY_MS;
      } catch (err) {
        if (stopping) break;
        const message = (err as Error).message;
        // Whatever was read and not taken stays pending for this consumer and is taken over later.
        deps.logger.warn({ err: message, retryMs }, 'ingest stream: read failed; retrying');
        await sleep(retryMs);
        retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
        // The group is gone (a Redis without persistence restarted, or the stream was deleted): the
        // receivers' next appends make the stream again, without it.
        if (message.includes('NOGROUP')) await stream.ensureGroup().catch(() => undefined);
      }
    }
    running = false;
  })();

  return {
    consumer,
    isRunning: () => running && !stopping,
    async close(timeoutMs = 30_000) {
      stopping = true;
      wakeReader?.();
      // Ends a read that is waiting for deliveries.
      options.connection.disconnect();
      await loop;
      const finished = Promise.all([...bursts]).then(() => 'done' as const);
      const timedOut = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
      await Promise.race([finished, timedOut]);
      // Deliveries not applied yet (waiting, or in a burst stuck on a tracker): back to the stream
      // at once, so another worker takes them now rather than after the claim time.
      const left = [...held.values()];
      if (left.length === 0) return;
      try {
        await stream.handBack(left);
        deps.logger.warn({ deliveries: left.length }, 'handed unfinished deliveries back to the ingest stream');
      } catch (err) {
        deps.logger.warn({ deliveries: left.length, err: (err as Error).message }, 'could not hand deliveries back; another worker takes them over after the claim time');
      }
    },
  };
}

/** BullMQ job ids with a colon must have exactly three colon-separated parts (tenant:delivery:event); keep the delivery part plain. */
function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
