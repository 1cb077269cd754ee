/**
 * Takes webhook deliveries off the ingest stream (shared/queue/ingest-stream.ts) into the events
 * queue: each of a delivery's events becomes a `tracker.event.apply` job, many deliveries in one
 * `addBulk`, and the deliveries are marked done only once their jobs are queued. A worker that dies
 * in between leaves its deliveries pending; another worker (or this one, restarted) takes them over
 * after `claimIdleMs` and queues them again, under the same job ids, so a job still in the queue is
 * not added twice (applying an event twice is safe in any case).
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { JOBS, type IngestRecord } from '@pool-guard/shared/queue';
import type { WorkerDeps } from './worker-deps.js';

type RedisClient = Redis | Cluster;

export interface IngestConsumerOptions {
  /** A connection of its own for the blocking reads (closed by `close`). */
  connection: RedisClient;
  /** Deliveries another worker read and did not finish within this long are taken over. */
  claimIdleMs: number;
  /** Most deliveries taken per read (default 500). */
  batchSize?: number;
  /** How long a read waits for a delivery (default 1 000 ms; also the longest a close waits for it). */
  blockMs?: number;
}

export interface IngestConsumer {
  readonly consumer: string;
  isRunning(): boolean;
  /** Stops reading and waits for the deliveries being queued. */
  close(): Promise<void>;
}

/** Consumers gone (nothing pending) longer than this are removed from the group. */
const PRUNE_IDLE_MS = 24 * 3600 * 1000;
const PRUNE_EVERY_MS = 10 * 60 * 1000;
/** The wait after a failed read or hand-off before the next try (doubling up to the cap). */
const RETRY_MS = 200;
const RETRY_MAX_MS = 5_000;

export function startIngestConsumer(deps: WorkerDeps, options: IngestConsumerOptions): IngestConsumer {
  const stream = deps.queues.ingest;
  const consumer = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const batchSize = options.batchSize ?? 500;
  const blockMs = options.blockMs ?? 1_000;
  const claimEveryMs = Math.max(250, Math.floor(options.claimIdleMs / 2));
  let stopping = false;
  let running = true;
  let lastClaim = 0;
  let lastPrune = 0;

  async function queueJobs(records: IngestRecord[]): Promise<void> {
    const jobs = [];
    for (const { id, entry, raw } of records) {
      if (!entry) {
        deps.logger.error({ entryId: id, entry: raw.slice(0, 200) }, 'unreadable delivery on the ingest stream; dropped');
        continue;
      }
      const base = `${entry.tenant}:${safeId(entry.deliveryId)}`;
      for (const [i, event] of entry.events.entries()) {
        jobs.push({
          name: 'tracker.event.apply' as const,
          data: { tenant: entry.tenant, deliveryId: entry.deliveryId, receivedAt: entry.receivedAt, event },
          opts: { ...JOBS['tracker.event.apply'].options, jobId: `${base}:${i}` },
        });
      }
    }
    if (jobs.length > 0) await deps.queues.events.addBulk(jobs);
    await stream.done(records.map((r) => r.id));
  }

  async function step(): Promise<void> {
    const now = Date.now();
    if (now - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = now;
      await stream.pruneConsumers(PRUNE_IDLE_MS, consumer);
    }
    let records: IngestRecord[] = [];
    if (now - lastClaim >= claimEveryMs) {
      lastClaim = now;
      records = await stream.claimIdle(consumer, options.claimIdleMs, batchSize);
      if (records.length > 0) deps.logger.info({ deliveries: records.length }, 'took over deliveries another worker left unfinished');
    }
    if (records.length === 0) records = await stream.read(options.connection, consumer, batchSize, blockMs);
    if (records.length > 0) await queueJobs(records);
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
        // Whatever was read stays pending for this consumer and is taken over again after claimIdleMs.
        deps.logger.warn({ err: (err as Error).message, retryMs }, 'ingest stream: read or hand-off failed; retrying');
        await sleep(retryMs);
        retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
      }
    }
    running = false;
  })();

  return {
    consumer,
    isRunning: () => running && !stopping,
    async close() {
      stopping = true;
      // Ends a read that is waiting for deliveries; one that is handing deliveries off finishes.
      options.connection.disconnect();
      await loop;
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
