/**
 * The per-tenant sweep lease, including when a reply is lost: Redis took the lease, the connection
 * broke before the answer came back, and the client sent SET NX again on a new connection. The
 * lease is this sweep's (it holds its token); answered "held by another sweep", the tenant went
 * unswept until the lease expired (a sweep job then waits for its next schedule).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createKeySpace, SweepStore } from '../index.js';
import { startLostReplyRedis, type LostReplyRedis } from './support/lost-reply-redis.js';

describe('sweep lease', () => {
  let redis: LostReplyRedis;
  const keys = createKeySpace('sweeps');

  beforeAll(async () => {
    redis = await startLostReplyRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('is held by one sweep at a time, renewed only by its holder, and free once released', async () => {
    const sweeps = new SweepStore(redis.direct, keys);
    const lease = await sweeps.acquire('acme', 'worker-a', 5000);
    expect(lease).not.toBeNull();
    expect(await sweeps.acquire('acme', 'worker-b', 5000)).toBeNull();
    expect((await sweeps.holder('acme'))?.owner).toBe('worker-a');
    expect(await lease!.renew()).toBe(true);
    await lease!.release();
    expect(await sweeps.holder('acme')).toBeNull();
    expect(await lease!.renew()).toBe(false);
    const next = await sweeps.acquire('acme', 'worker-b', 5000);
    expect(next).not.toBeNull();
    await next!.release();
  });

  it('is taken when the answer to SET NX was lost and the command sent again', async () => {
    const sweeps = new SweepStore(redis.client, keys);
    const key = keys.tenant('globex').sweepLock();
    const lease = await redis.withReplyLost(key, () => sweeps.acquire('globex', 'worker-a', 60_000));
    expect(lease).not.toBeNull();
    expect(await lease!.renew()).toBe(true);
    await lease!.release();
    expect(await redis.direct.exists(key)).toBe(0);
  });
});
