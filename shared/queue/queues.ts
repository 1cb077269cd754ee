/**
 * BullMQ queues with Pool Guard's prefix. Queue names carry a hash tag, so each queue's keys sit in
 * one Redis Cluster slot as BullMQ requires.
 */
import { Queue, type ConnectionOptions } from 'bullmq';
import { JOBS, QUEUE_NAMES, type JobData, type JobName, type QueueKey } from './catalog.js';

export interface PoolGuardQueues {
  readonly events: Queue;
  readonly writeback: Queue;
  /** Adds a job of the catalog with its default options (validated against its schema). */
  add<N extends JobName>(name: N, data: JobData<N>, options?: import('bullmq').JobsOptions): Promise<void>;
  close(): Promise<void>;
}

export function queuePrefix(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}:q`;
}

export function createQueues(connection: ConnectionOptions, redisKeyPrefix = 'pg'): PoolGuardQueues {
  const prefix = queuePrefix(redisKeyPrefix);
  const make = (key: QueueKey) => new Queue(QUEUE_NAMES[key], { connection, prefix });
  const queues: Record<QueueKey, Queue> = { events: make('events'), writeback: make('writeback') };
  return {
    events: queues.events,
    writeback: queues.writeback,
    async add(name, data, options) {
      const spec = JOBS[name];
      const parsed = spec.schema.parse(data);
      await queues[spec.queue].add(name, parsed, { ...spec.options, ...options });
    },
    async close() {
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
}
