/**
 * BullMQ queues with Pool Guard's prefix. Queue names carry a hash tag, so each queue's keys sit in
 * one Redis Cluster slot as BullMQ requires.
 */
import { Queue, type ConnectionOptions } from 'bullmq';
import { JOBS, QUEUE_NAMES, type JobData, type JobName, type QueueKey } from './catalog.js';
import { DEAD_LETTER_QUEUE } from './dead-letters.js';

export interface PoolGuardQueues {
  readonly events: Queue;
  readonly writeback: Queue;
  /** Reconcile sweeps; each tenant's job scheduler lives here. */
  readonly reconcile: Queue;
  /** Jobs that failed for good (see dead-letters.ts); no worker consumes it. */
  readonly deadLetters: Queue;
  /** The queues that workers consume, by BullMQ queue name. */
  readonly byName: Readonly<Record<string, Queue>>;
  /** Adds a job of the catalog with its default options (validated against its schema). */
  add<N extends JobName>(name: N, data: JobData<N>, options?: import('bullmq').JobsOptions): Promise<void>;
  /**
   * Adds a job unless one with the same `deduplicationId` was added in the last `ttlMs`, in one
   * Redis round trip (BullMQ deduplication: the mark and the job are written by one script, so
   * there is never a mark without its job). True when added; false for a duplicate. The mark
   * outlives the job (it expires after `ttlMs`). `jobId` must be new for every call.
   */
  addOnce<N extends JobName>(name: N, data: JobData<N>, once: { jobId: string; deduplicationId: string; ttlMs: number }): Promise<boolean>;
  /** Forgets a deduplication mark of `addOnce` (on the queue of job `name`). */
  forgetOnce(name: JobName, deduplicationId: string): Promise<void>;
  close(): Promise<void>;
}

export function queuePrefix(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}:q`;
}

export function createQueues(connection: ConnectionOptions, redisKeyPrefix = 'pg'): PoolGuardQueues {
  const prefix = queuePrefix(redisKeyPrefix);
  const make = (key: QueueKey) => new Queue(QUEUE_NAMES[key], { connection, prefix });
  const queues: Record<QueueKey, Queue> = { events: make('events'), writeback: make('writeback'), reconcile: make('reconcile') };
  const deadLetters = new Queue(DEAD_LETTER_QUEUE, { connection, prefix });
  return {
    events: queues.events,
    writeback: queues.writeback,
    reconcile: queues.reconcile,
    deadLetters,
    byName: Object.fromEntries(Object.values(queues).map((q) => [q.name, q])),
    async add(name, data, options) {
      const spec = JOBS[name];
      const parsed = spec.schema.parse(data);
      await queues[spec.queue].add(name, parsed, { ...spec.options, ...options });
    },
    async addOnce(name, data, once) {
      const spec = JOBS[name];
      const parsed = spec.schema.parse(data);
      const job = await queues[spec.queue].add(name, parsed, {
        ...spec.options,
        jobId: once.jobId,
        deduplication: { id: once.deduplicationId, ttl: once.ttlMs },
      });
      // A duplicate answers with the id of the job that took the mark first.
      return job.id === once.jobId;
    },
    async forgetOnce(name, deduplicationId) {
      await queues[JOBS[name].queue].removeDeduplicationKey(deduplicationId);
    },
    async close() {
      await Promise.all([...Object.values(queues), deadLetters].map((q) => q.close()));
    },
  };
}
