/**
 * The hand-off from the receiver to the worker: every accepted webhook delivery becomes one entry
 * of a Redis stream, written together with its redelivery mark by one script (one round trip, no
 * BullMQ job per webhook; decision record 0006). Workers read the stream as one consumer group:
 * each entry is handed to one worker, stays pending until that worker is done with it, and is
 * taken over by another worker when the first one died (`claimIdle`). Entries are deleted once done,
 * so the stream's length is the backlog of deliveries not yet taken into the queue.
 *
 * The stream sits in the events queue's hash slot (its name carries the queue's hash tag), so the
 * mark and the entry are written by one script on Redis Cluster too.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import { QUEUE_NAMES, trackerEventSchema } from './catalog.js';

type RedisClient = Redis | Cluster;

/** One webhook delivery as the receiver took it: the events it carried, in order. */
export const ingestEntrySchema = z.object({
  tenant: z.string().min(1),
  deliveryId: z.string().min(1),
  receivedAt: z.number(),
  events: z.array(trackerEventSchema).min(1),
});
export type IngestEntry = z.infer<typeof ingestEntrySchema>;

/** An entry as read from the stream; `entry` is null when it cannot be read (logged and dropped). */
export interface IngestRecord {
  id: string;
  entry: IngestEntry | null;
  raw: string;
}

/** The consumer group every worker reads the stream in. Renaming it re-reads every entry left. */
export const INGEST_GROUP = 'workers';

/**
 * For each delivery of a batch: takes its mark and, only if it was free, appends its entry, so an
 * entry is durable exactly when its mark is taken. A resent command (the reply was lost and the
 * client sent it again) finds its own token in the mark and answers "appended" again, not
 * "duplicate". The same delivery twice in one batch is appended once (the second finds the first's
 * token).
 * KEYS: 1 the stream, 2.. the deliveries' marks. ARGV: per delivery, its mark ttl (ms), token and
 * entry JSON. Returns per delivery 1 when appended (now or by this same call before), 0 for a
 * redelivery.
 */
const APPEND_ONCE = `
local out = {}
for i = 2, #KEYS do
  local a = 3 * i - 5
  if redis.call('SET', KEYS[i], ARGV[a + 1], 'NX', 'PX', ARGV[a]) then
    redis.call('XADD', KEYS[1], '*', 'e', ARGV[a + 2])
    out[i - 1] = 1
  elseif redis.call('GET', KEYS[i]) == ARGV[a + 1] then
    out[i - 1] = 1
  else
    out[i - 1] = 0
  end
end
return out
`;

/** Most deliveries appended by one script call; more wait for the next. */
const MAX_APPEND_BATCH = 64;

interface PendingAppend {
  mark: string;
  ttlMs: number;
  token: string;
  entry: string;
  resolve: (appended: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * Marks entries done: acknowledged in the group and deleted from the stream.
 * KEYS: 1 the stream. ARGV: 1 the group, 2.. entry ids. Returns how many were still pending.
 */
const DONE = `
local n = redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
return n
`;

/**
 * Puts entries still pending back at the end of the stream as new entries, for any consumer: an
 * entry another consumer finished meanwhile (no longer pending) is left alone.
 * KEYS: 1 the stream. ARGV: 1 the group, then pairs of entry id and entry JSON. Returns how many.
 */
const HAND_BACK = `
local n = 0
for i = 2, #ARGV, 2 do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    redis.call('XADD', KEYS[1], '*', 'e', ARGV[i + 1])
    redis.call('XDEL', KEYS[1], ARGV[i])
    n = n + 1
  end
end
return n
`;

type ScriptRedis = RedisClient & {
  poolGuardIngestAppendOnce(keyCount: number, stream: string, ...marksThenArgs: (string | number)[]): Promise<number[]>;
  poolGuardIngestDone(stream: string, group: string, ...ids: string[]): Promise<number>;
  poolGuardIngestHandBack(stream: string, group: string, ...idsAndEntries: string[]): Promise<number>;
};

/** Stream replies: [id, [field, value, ...]] per entry. */
type StreamReply = [string, string[] | null][];

export class IngestStream {
  readonly key: string;
  private readonly markPrefix: string;
  private readonly redis: ScriptRedis;
  /** Tokens of this process's appends: a random prefix and a counter. */
  private readonly tokenPrefix = randomBytes(6).toString('base64url');
  private tokenSeq = 0;
  /** Appends waiting for this round of I/O to end (see `appendOnce`). */
  private pending: PendingAppend[] = [];

  /** `redis`: a command connection (the receiver's is auto-pipelined: concurrent webhooks share writes). */
  constructor(redis: RedisClient, queuePrefix: string) {
    this.key = `${queuePrefix}:${QUEUE_NAMES.events}:ingest`;
    this.markPrefix = `${queuePrefix}:${QUEUE_NAMES.events}:delivery:`;
    const scripts = redis as ScriptRedis;
    if (typeof scripts.poolGuardIngestAppendOnce !== 'function') {
      // The number of keys varies with the batch: it is the command's first argument.
      redis.defineCommand('poolGuardIngestAppendOnce', { lua: APPEND_ONCE });
      redis.defineCommand('poolGuardIngestDone', { numberOfKeys: 1, lua: DONE });
      redis.defineCommand('poolGuardIngestHandBack', { numberOfKeys: 1, lua: HAND_BACK });
    }
    this.redis = scripts;
  }

  /**
   * Appends a delivery unless one with the same `deduplicationId` was appended in the last `ttlMs`.
   * True when appended; false for a redelivery. The deliveries handed in while the event loop
   * handles one round of I/O (the webhooks of many connections) share one script call, sent once
   * that round is over: one round trip each, and a fraction of the per-command cost.
   */
  appendOnce(entry: IngestEntry, once: { deduplicationId: string; ttlMs: number }): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({
        mark: this.markPrefix + once.deduplicationId,
        ttlMs: once.ttlMs,
        token: `${this.tokenPrefix}.${(this.tokenSeq++).toString(36)}`,
        entry: JSON.stringify(entry),
        resolve,
        reject,
      });
      if (this.pending.length >= MAX_APPEND_BATCH) this.flushAppends();
      else if (this.pending.length === 1) setImmediate(this.flushAppends);
    });
  }

  /** Sends the appends handed in so far as one script call, and settles each with its own answer. */
  private readonly flushAppends = (): void => {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const marks = batch.map((p) => p.mark);
    const args = batch.flatMap((p) => [p.ttlMs, p.token, p.entry]);
    this.redis.poolGuardIngestAppendOnce(1 + batch.length, this.key, ...marks, ...args).then(
      (answers) => batch.forEach((p, i) => p.resolve(answers[i] === 1)),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    );
  };

  /** Deliveries taken by a receiver and not yet done by a worker (waiting or being moved). */
  async backlog(): Promise<number> {
    return this.redis.xlen(this.key);
  }

  /** Deliveries not yet done, oldest first, up to `count` (for diagnostics and tests). */
  async entries(count = 1000): Promise<IngestRecord[]> {
    return records((await this.redis.xrange(this.key, '-', '+', 'COUNT', count)) as StreamReply);
  }

  /** Creates the consumer group (and the stream) unless it exists; it reads from the first entry. */
  async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.key, INGEST_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  /**
   * New entries for `consumer`, up to `count`, waiting up to `blockMs` for the first. `conn` must be
   * a connection of its own (the read blocks it). Each entry read stays pending until `done`.
   */
  async read(conn: RedisClient, consumer: string, count: number, blockMs: number): Promise<IngestRecord[]> {
    const reply = (await conn.xreadgroup('GROUP', INGEST_GROUP, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.key, '>')) as
      | [string, StreamReply][]
      | null;
    return reply ? records(reply[0]?.[1] ?? []) : [];
  }

  /**
   * Takes over entries that another consumer read and has not finished for `minIdleMs` (its worker
   * died, or hangs), up to `count`: they are `consumer`'s now.
   */
  async claimIdle(consumer: string, minIdleMs: number, count: number): Promise<IngestRecord[]> {
    const reply = (await this.redis.xautoclaim(this.key, INGEST_GROUP, consumer, minIdleMs, '0-0', 'COUNT', count)) as [string, StreamReply, string[]?];
    return records(reply[1] ?? []);
  }

  /** Tells the group `consumer` is still at these entries (resets their idle time). */
  async keepClaimed(consumer: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.xclaim(this.key, INGEST_GROUP, consumer, 0, ...ids, 'JUSTID');
  }

  /** Marks entries done: they leave the group's pending list and the stream. */
  async done(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.poolGuardIngestDone(this.key, INGEST_GROUP, ...ids);
  }

  /** Puts entries this consumer will not finish back on the stream for any consumer to read. */
  async handBack(entries: readonly Pick<IngestRecord, 'id' | 'raw'>[]): Promise<number> {
    if (entries.length === 0) return 0;
    return this.redis.poolGuardIngestHandBack(this.key, INGEST_GROUP, ...entries.flatMap((e) => [e.id, e.raw]));
  }

  /** Removes consumers with nothing pending that were idle longer than `idleMs` (workers gone). */
  async pruneConsumers(idleMs: number, keep: string): Promise<number> {
    const info = (await this.redis.xinfo('CONSUMERS', this.key, INGEST_GROUP)) as unknown[][];
    let removed = 0;
    for (const row of info) {
      const fields = new Map<string, unknown>();
      for (let i = 0; i + 1 < row.length; i += 2) fields.set(String(row[i]), row[i + 1]);
      const name = String(fields.get('name'));
      if (name !== keep && Number(fields.get('pending')) === 0 && Number(fields.get('idle')) > idleMs) {
        await this.redis.xgroup('DELCONSUMER', this.key, INGEST_GROUP, name);
        removed++;
      }
    }
    return removed;
  }
}

function records(entries: StreamReply): IngestRecord[] {
  const out: IngestRecord[] = [];
  for (const [id, fields] of entries) {
    // An entry deleted while pending reads as nil fields: there is nothing left to do for it.
    const raw = fields && fields[0] === 'e' ? (fields[1] ?? '') : '';
    let entry: IngestEntry | null = null;
    try {
      const parsed = ingestEntrySchema.safeParse(JSON.parse(raw));
      if (parsed.success) entry = parsed.data;
    } catch {
      entry = null;
    }
    out.push({ id, entry, raw });
  }
  return out;
}
