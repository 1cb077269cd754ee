/**
 * The per-tenant sweep lease, including when a reply is lost: Redis took the lease, the connection
 * broke before the answer came back, and the client sent SET NX again on a new connection. The
 * lease is this sweep's (it holds its token); answered "held by another sweep", the tenant went
 * unswept until the lease expired (a sweep job then waits for its next schedule).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createKeySpace, SweepStore } from '../index.js';
import { startRedisServer, type RedisServerHandle } from '../../../test/redis-server.js';
import { startTcpChaosProxy, type TcpChaosProxy } from '../../../services/standalone/test/support/tcp-chaos-proxy.js';

describe('sweep lease', () => {
  let redis: RedisServerHandle;
  let proxy: TcpChaosProxy;
  let client: Redis;
  let direct: Redis;
  const keys = createKeySpace('sweeps');

  beforeAll(async () => {
    redis = await startRedisServer();
    proxy = await startTcpChaosProxy(redis.port);
    client = new Redis(proxy.port, '127.0.0.1', { maxRetriesPerRequest: 3 });
    direct = new Redis(redis.url);
    await client.ping();
  });
  afterAll(async () => {
    client?.disconnect();
    direct?.disconnect();
    await proxy?.close();
    await redis?.stop();
  });

  it('is held by one sweep at a time, renewed only by its holder, and free once released', async () => {
    const sweeps = new SweepStore(direct, keys);
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
    const sweeps = new SweepStore(client, keys);
    const key = keys.tenant('globex').sweepLock();
    const stalled = proxy.stall(2000, 'replies');
    const acquiring = sweeps.acquire('globex', 'worker-a', 60_000);
    for (let i = 0; i < 200 && (await direct.exists(key)) === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(await direct.exists(key)).toBe(1); // Redis took it; the answer is held
    proxy.resetAll();
    await stalled;
    const lease = await acquiring;
    expect(lease).not.toBeNull();
    expect(await lease!.renew()).toBe(true);
    await lease!.release();
    expect(await direct.exists(key)).toBe(0);
  });
});
