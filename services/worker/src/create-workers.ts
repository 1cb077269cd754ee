import { Worker, type ConnectionOptions } from 'bullmq';
import { QUEUE_NAMES, queuePrefix } from '@pool-guard/shared/queue';
import { createEventsProcessor } from './processors/events-processor.js';
import { createWriteBackProcessor } from './processors/write-back-processor.js';
import { withDeadLetters } from './processors/with-dead-letters.js';
import { TenantGate } from './tenant-gate.js';
import type { WorkerDeps } from './worker-deps.js';

export interface WorkersOptions {
  connection: ConnectionOptions;
  redisKeyPrefix: string;
  concurrency: number;
  /** Most jobs of one tenant this process runs at once (default: half the concurrency). */
  tenantConcurrency?: number;
}

export interface PoolGuardWorkers {
  readonly workers: readonly Worker[];
  /** True while every worker is running and connected. */
  isRunning(): boolean;
  /** Stops taking jobs and waits for the running ones to finish (bounded by `timeoutMs`). */
  close(timeoutMs?: number): Promise<void>;
}

export function createWorkers(baseDeps: WorkerDeps, options: WorkersOptions): PoolGuardWorkers {
  const tenantGate = new TenantGate(options.tenantConcurrency ?? Math.max(1, Math.ceil(options.concurrency / 2)));
  const deps: WorkerDeps = { ...baseDeps, tenantGate };
  const prefix = queuePrefix(options.redisKeyPrefix);
  const common = { connection: options.connection, prefix, concurrency: options.concurrency, autorun: true };
  const workers = [
    new Worker(QUEUE_NAMES.events, withDeadLetters(deps, createEventsProcessor(deps)), common),
    new Worker(QUEUE_NAMES.writeback, withDeadLetters(deps, createWriteBackProcessor(deps)), common),
  ];
  for (const w of workers) {
    w.on('failed', (job, err) => {
      deps.logger.warn({ queue: w.name, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed');
    });
    w.on('error', (err) => deps.logger.error({ queue: w.name, err: err.message }, 'worker error'));
  }
  return {
    workers,
    isRunning: () => workers.every((w) => w.isRunning()),
    async close(timeoutMs = 30_000) {
      const graceful = Promise.all(workers.map((w) => w.close()));
      const timedOut = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
      if ((await Promise.race([graceful, timedOut])) === 'timeout') {
        deps.logger.warn({ timeoutMs }, 'workers did not finish in time; forcing close (jobs return to the queue)');
        await Promise.all(workers.map((w) => w.close(true)));
      }
    },
  };
}
