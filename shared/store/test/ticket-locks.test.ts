/**
 * Ticket write locks when a reply is lost: the connection breaks after Redis took the lock but
 * before its answer came back, and the client sends SET NX again on a new connection. The lock is
 * ours (it holds our token); answered "held by someone", the write-back waited out its own lock
 * (twice the job lock duration: a minute by default) before the ticket could be written.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createKeySpace, TicketLocks } from '../index.js';
import { startLostReplyRedis, type LostReplyRedis } from './support/lost-reply-redis.js';

describe('ticket locks', () => {
  let redis: LostReplyRedis;
  const keys = createKeySpace('locks');

  beforeAll(async () => {
    redis = await startLostReplyRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('are one holder at a time', async () => {
    const locks = new TicketLocks(redis.direct, keys);
    const release = await locks.acquire('acme', '1', 5000);
    expect(release).not.toBeNull();
    expect(await locks.acquire('acme', '1', 5000)).toBeNull();
    await release!();
    expect(await locks.acquire('acme', '1', 5000)).not.toBeNull();
  });

  it('are taken when the answer to SET NX was lost and the command sent again', async () => {
    const locks = new TicketLocks(redis.client, keys);
    const key = keys.tenant('acme').writeLock('2');
    const release = await redis.withReplyLost(key, () => locks.acquire('acme', '2', 60_000));
    expect(release).not.toBeNull();
    await release!();
    expect(await redis.direct.exists(key)).toBe(0);
  });
});
