/**
 * The receiver's side of the ingest stream: deliveries handed in together share one script call,
 * and each still gets its own answer (appended, or a redelivery), in the order they came.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { IngestStream, queuePrefix, type IngestEntry } from '../index.js';
import { startRedisServer, type RedisServerHandle } from '../../../test/redis-server.js';

const entry = (deliveryId: string): IngestEntry => ({
  tenant: 'acme',
  deliveryId,
  receivedAt: 1_700_000_000_000,
  events: [{ kind: 'ticket.changed', ticketKey: `CR-${deliveryId}`, ticketId: deliveryId, actorId: null, updatedAt: null }],
});

describe('ingest stream appends', () => {
  let redis: RedisServerHandle;
  let client: Redis;
  let stream: IngestStream;
  let prefix: string;
  let prefixSeq = 0;

  /** Script calls Redis ran so far (EVALSHA, and EVAL when the script was not cached yet). */
  async function scriptCalls(): Promise<number> {
    const stats = await client.info('commandstats');
    let calls = 0;
    for (const m of stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)) calls += Number(m[1]);
    return calls;
  }

  const append = (id: string, ttlMs = 60_000) => stream.appendOnce(entry(id), { deduplicationId: `acme:${id}`, ttlMs });

  beforeAll(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.url);
  });
  beforeEach(() => {
    prefix = queuePrefix(`ingest-${++prefixSeq}`);
    stream = new IngestStream(client, prefix);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('appends deliveries handed in together with one script call, in the order they came', async () => {
    await append('warm-up'); // loads the script, so the count below is of EVALSHA alone
    const before = await scriptCalls();
    const ids = Array.from({ length: 20 }, (_, i) => `d${i}`);
    const answers = await Promise.all(ids.map((id) => append(id)));
    expect(answers).toEqual(ids.map(() => true));
    expect((await scriptCalls()) - before).toBe(1);
    const stored = (await stream.entries()).map((r) => r.entry?.deliveryId);
    expect(stored).toEqual(['warm-up', ...ids]);
  });

  it('splits a large round into calls of at most 64 deliveries and answers each', async () => {
    await append('warm-up');
    const before = await scriptCalls();
    const ids = Array.from({ length: 150 }, (_, i) => `big${i}`);
    const answers = await Promise.all(ids.map((id) => append(id)));
    expect(answers.every((a) => a)).toBe(true);
    expect((await scriptCalls()) - before).toBe(3);
    expect((await stream.entries()).map((r) => r.entry?.deliveryId)).toEqual(['warm-up', ...ids]);
  });

  it('answers a redelivery false, in the same round or a later one, and stores the delivery once', async () => {
    const [first, again, other] = await Promise.all([append('x'), append('x'), append('y')]);
    expect([first, again, other]).toEqual([true, false, true]);
    expect(await append('x')).toBe(false);
    expect(await append('y')).toBe(false);
    expect((await stream.entries()).map((r) => r.entry?.deliveryId)).toEqual(['x', 'y']);
    expect(await stream.backlog()).toBe(2);
  });

  it('keeps each delivery’s own mark lifetime within one call', async () => {
    await Promise.all([append('short', 50), append('long', 60_000)]);
    const marks = await client.keys(`${prefix}:*:delivery:*`);
    expect(marks).toHaveLength(2);
    const ttl = async (id: string) => client.pttl(marks.find((k) => k.endsWith(`acme:${id}`))!);
    expect(await ttl('short')).toBeLessThanOrEqual(50);
    expect(await ttl('long')).toBeGreaterThan(50_000);
    await new Promise((r) => setTimeout(r, 80));
    // Its mark gone, the short one is taken again; the long one is still a redelivery.
    expect(await Promise.all([append('short'), append('long')])).toEqual([true, false]);
  });

  it('fails every delivery of a call that Redis did not take, and takes them when sent again', async () => {
    const offline = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false });
    const unreachable = new IngestStream(offline, prefix);
    const results = await Promise.allSettled([
      unreachable.appendOnce(entry('p'), { deduplicationId: 'acme:p', ttlMs: 60_000 }),
      unreachable.appendOnce(entry('q'), { deduplicationId: 'acme:q', ttlMs: 60_000 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    offline.disconnect();
    // Nothing was marked: the tracker's retry of either delivery is appended.
    expect(await Promise.all([append('p'), append('q')])).toEqual([true, true]);
  });
});
