import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis, type Cluster } from 'ioredis';
import { QUEUE_NAMES, addDeadLetter, queuePrefix } from '@pool-guard/shared/queue';
import { startIngestConsumer } from './ingest-consumer.js';
import { createEventsProcessor } from './processors/events-processor.js';
import { createReconcileProcessor } from './processors/reconcile-processor.js';
import { createWriteBackProcessor } from './processors/write-back-processor.js';
import { withDeadLetters } from './processors/with-dead-letters.js';
import { scheduleSweeps } from './schedule-sweeps.js';
import { TenantGate } from './tenant-gate.js';
import type { WorkerDeps } from './worker-deps.js';

export interface WorkersOptions {
  connection: ConnectionOptions;
  redisKeyPrefix: string;
  concurrency: number;
  /** Most jobs of one tenant this process runs at once (default: half the concurrency). */
  tenantConcurrency?: number;
  /** Reconcile sweeps this process runs at once, each of another tenant (default 2). */
  sweepConcurrency?: number;
  /** Upsert each tenant's reconcile job scheduler at start (default true). */
  scheduleSweeps?: boolean;
  /**
   * BullMQ lock duration, also the stalled-job check interval (default: `deps.lockDurationMs`, else
   * 30 000): a job whose worker died is handed to another worker within about twice this.
   */
  lockDurationMs?: number;
  /** How often a job may stall before BullMQ fails it for good (default MAX_STALLED_COUNT). */
  maxStalledCount?: number;
}

export const DEFAULT_LOCK_DURATION_MS = 30_000;

/**
 * How many times a job may stall (its worker died, or could not renew the job's lock for a whole
 * lock duration) before BullMQ fails it for good. Jobs are idempotent, so a stall costs a repeat;
 * the limit only stops a job that takes down every worker that runs it. BullMQ's default, 1, failed
 * jobs that had merely run on two workers that died (the soak: 11 of 3,000 jobs, each a lost event
 * or write-back).
 */
export const MAX_STALLED_COUNT = 5;

export interface PoolGuardWorkers {
  readonly workers: readonly Worker[];
  /** True while every worker is running and connected. */
  isRunning(): boolean;
  /** Stops taking jobs and waits for the running ones to finish (bounded by `timeoutMs`). */
  close(timeoutMs?: number): Promise<void>;
}

export function createWorkers(baseDeps: WorkerDeps, options: WorkersOptions): PoolGuardWorkers {
  const tenantGate = new TenantGate(options.tenantConcurrency ?? Math.max(1, Math.ceil(options.concurrency / 2)));
  const lockDurationMs = options.lockDurationMs ?? baseDeps.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
  const deps: WorkerDeps = { ...baseDeps, tenantGate, lockDurationMs };
  const prefix = queuePrefix(options.redisKeyPrefix);
  const common = {
    connection: options.connection,
    prefix,
    concurrency: options.concurrency,
    autorun: true,
    lockDuration: lockDurationMs,
    stalledInterval: lockDurationMs,
    maxStalledCount: options.maxStalledCount ?? MAX_STALLED_COUNT,
  };
  // Jobs running now, so a shutdown that cannot wait for them can hand them back to the queue.
  const inFlight = new Map<string, { job: Job; token: string | undefined }>();
  const tracked = (processor: (job: Job, token?: string) => Promise<unknown>) => async (job: Job, token?: string) => {
    const id = `${job.queueName}:${job.id}`;
    inFlight.set(id, { job, token });
    try {
      return await processor(job, token);
    } finally {
      inFlight.delete(id);
    }
  };
  const sweeps = createReconcileProcessor(deps);
  const writeBacks = createWriteBackProcessor(deps);
  const workers = [
    new Worker(QUEUE_NAMES.events, tracked(withDeadLetters(deps, createEventsProcessor(deps))), common),
    new Worker(QUEUE_NAMES.writeback, tracked(withDeadLetters(deps, writeBacks.process)), common),
    new Worker(QUEUE_NAMES.reconcile, tracked(withDeadLetters(deps, sweeps.process)), { ...common, concurrency: options.sweepConcurrency ?? 2 }),
  ];
  // Webhook deliveries from the receivers, into the events queue. Its blocking reads need a
  // connection of their own.
  const ingest = startIngestConsumer(deps, { connection: blockingConnection(options.connection), claimIdleMs: lockDurationMs, tenantConcurrency: tenantGate.maxPerTenant });
  if (options.scheduleSweeps !== false) {
    scheduleSweeps(deps).catch((err: unknown) => deps.logger.error({ err: (err as Error).message }, 'could not schedule the reconcile sweeps'));
  }
  for (const w of workers) {
    w.on('failed', (job, err) => {
      deps.logger.warn({ queue: w.name, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed');
      // Failed by BullMQ itself (stalled too often): the processor, and so withDeadLetters, never
      // ran, so the dead letter is added here. Otherwise the failure would be silent.
      if (job?.deferredFailure) {
        addDeadLetter(deps.queues.deadLetters, job, err).then(
          () => deps.logger.error({ job: job.name, jobId: job.id, err: err.message }, 'job failed for good: moved to the dead-letter queue'),
          (dlqErr: unknown) => deps.logger.error({ job: job.name, jobId: job.id, err: (dlqErr as Error).message }, 'could not add a dead letter'),
        );
      }
    });
    w.on('error', (err) => deps.logger.error({ queue: w.name, err: err.message }, 'worker error'));
  }
  return {
    workers,
    isRunning: () => ingest.isRunning() && workers.every((w) => w.isRunning()),
    async close(timeoutMs = 30_000) {
      // The stream's bursts and the queues' jobs finish side by side, within the same bound.
      const ingestClosed = ingest.close(timeoutMs);
      try {
        await closeWorkers(timeoutMs);
      } finally {
        await ingestClosed;
      }
    },
  };

  async function closeWorkers(timeoutMs: number): Promise<void> {
    // A sweep stops between two tickets and records itself as interrupted; the next one redoes it.
    sweeps.stop();
    // Write-backs waiting out a backlog of events go back to the queue, still held.
    writeBacks.stop();
    const graceful = Promise.all(workers.map((w) => w.close()));
    const timedOut = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    if ((await Promise.race([graceful, timedOut])) !== 'timeout') return;
    // Jobs still running (a tracker that hangs, say): hand them back to their queue at once, so
    // another worker takes them now instead of after their lock expires; their attempt is not spent.
    const handedBack = await Promise.allSettled(
      [...inFlight.values()].map(({ job, token }) => job.moveToDelayed(Date.now(), token)),
    );
    deps.logger.warn(
      { timeoutMs, handedBack: handedBack.filter((r) => r.status === 'fulfilled').length, stuck: handedBack.filter((r) => r.status === 'rejected').length },
      'workers did not finish in time: handed running jobs back to the queue',
    );
    // A forced close still waits for the running processors; they were handed back, so do not.
    await Promise.race([Promise.all(workers.map((w) => w.close(true))), new Promise((r) => setTimeout(r, 500).unref())]);
  }
}

/** A new connection like the workers' (a copy of it when it is a client), for blocking reads. */
function blockingConnection(connection: ConnectionOptions): Redis | Cluster {
  if (typeof (connection as Redis).duplicate === 'function') return (connection as Redis | Cluster).duplicate();
  return new Redis({ ...(connection as import('ioredis').RedisOptions), maxRetriesPerRequest: null });
}
