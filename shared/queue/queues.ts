/**
 * BullMQ queues with Pool Guard's prefix. Queue names carry a hash tag, so each queue's keys sit in
 * one Redis Cluster slot as BullMQ requires.
 */
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { JOBS, QUEUE_NAMES, type JobData, type JobName, type QueueKey } from './catalog.js';
import { DEAD_LETTER_QUEUE } from './dead-letters.js';
import { IngestStream } from './ingest-stream.js';

export interface PoolGuardQueues {
  readonly events: Queue;
  readonly writeback: Queue;
  /** Reconcile sweeps; each tenant's job scheduler lives here. */
  readonly reconcile: Queue;
  /** Jobs that failed for good (see dead-letters.ts); no worker consumes it. */
  readonly deadLetters: Queue;
  /** The queues that workers consume, by BullMQ queue name. */
  readonly byName: Readonly<Record<string, Queue>>;
  /**
   * Adds a job of the catalog with its default options (validated against its schema). With a plain
   * `deduplication: { id }`, an add whose id is taken sends nothing but one `EXISTS` (see
   * `isDeduplicated`).
   */
  add<N extends JobName>(name: N, data: JobData<N>, options?: JobsOptions): Promise<void>;
  /** Webhook deliveries on their way from the receiver to the events queue (ingest-stream.ts). */
  readonly ingest: IngestStream;
  close(): Promise<void>;
}

export function queuePrefix(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}:q`;
}

/** `connection` serves BullMQ (blocking reads); `commands`, a command connection, the ingest stream. */
export function createQueues(connection: ConnectionOptions, commands: Redis | Cluster, redisKeyPrefix = 'pg'): PoolGuardQueues {
  const prefix = queuePrefix(redisKeyPrefix);
  const make = (key: QueueKey) => new Queue(QUEUE_NAMES[key], { connection, prefix });
  const queues: Record<QueueKey, Queue> = { events: make('events'), writeback: make('writeback'), reconcile: make('reconcile') };
  const deadLetters = new Queue(DEAD_LETTER_QUEUE, { connection, prefix });
  const recentAdds = new RecentAdds();
  return {
    events: queues.events,
    writeback: queues.writeback,
    reconcile: queues.reconcile,
    deadLetters,
    ingest: new IngestStream(commands, prefix),
    byName: Object.fromEntries(Object.values(queues).map((q) => [q.name, q])),
    async add(name, data, options) {
      const spec = JOBS[name];
      const parsed = spec.schema.parse(data);
      const queue = queues[spec.queue];
      const key = options?.deduplication && isPlain(options.deduplication) ? `${queue.keys.de}:${options.deduplication.id}` : null;
      if (key !== null) {
        // Only an id this process queued lately is likely still taken; any other goes straight to
        // the add script, so a first add costs no extra round trip.
        if (recentAdds.has(key) && (await commands.exists(key)) === 1) return;
        recentAdds.note(key);
      }
      await queue.add(name, parsed, { ...spec.options, ...options });
    },
    async close() {
      await Promise.all([...Object.values(queues), deadLetters].map((q) => q.close()));
    },
  };
}

/**
 * A plain deduplication id (no ttl, extend, replace or keep-last option) is taken while its job has
 * not finished or given it up, and an add that finds it taken is dropped. BullMQ's add script
 * decides that with `SET NX` on the id's key, but runs in full even then (a job id drawn, two events
 * appended to the queue's event stream): ~50 µs of Redis and the client's own job building, for
 * nothing. Write-backs are added once per change and taken once per burst, so most of their adds
 * are of that kind; `add` checks the key first (`EXISTS`) when this process queued the id lately.
 * A key that frees up between that check and the add is no different from one freed just after
 * the script ran: the job that held it reads the state only after giving it up (see
 * enqueueWriteBacks), so it sees the change that led to this add.
 */
function isPlain(deduplication: NonNullable<JobsOptions['deduplication']>): boolean {
  return deduplication.ttl === undefined && !deduplication.extend && !deduplication.replace && !deduplication.keepLastIfActive;
}

/**
 * The deduplication keys this process queued a job under in the last RECENT_MS (longer than a
 * write-back's longest hold, POOL_HOLD_AT_MOST_MS): a hint of which are likely still taken, never a
 * decision. Bounded: the oldest are forgotten first.
 */
class RecentAdds {
  static readonly RECENT_MS = 15_000;
  static readonly MAX = 10_000;
  private readonly at = new Map<string, number>();

  has(key: string): boolean {
    const at = this.at.get(key);
    return at !== undefined && Date.now() - at < RecentAdds.RECENT_MS;
  }

  note(key: string): void {
    this.at.delete(key);
    this.at.set(key, Date.now());
    if (this.at.size > RecentAdds.MAX) this.at.delete(this.at.keys().next().value!);
  }
}
