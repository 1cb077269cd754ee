/**
 * Ticket write locks when a reply is lost: the connection breaks after Redis took the lock but
 * before its answer came back, and the client sends SET NX again on a new connection. The lock is
 * ours (it holds our token); answered "held by someone", the write-back waited out its own lock
 * (twice the job lock duration: a minute by default) before the ticket could be written.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createKeySpace, TicketLocks } from '../index.js';
import { startRedisServer, type RedisServerHandle } from '../../../test/redis-server.js';
import { startTcpChaosProxy, type TcpChaosProxy } from '../../../services/standalone/test/support/tcp-chaos-proxy.js';

describe('ticket locks', () => {
  let redis: RedisServerHandle;
  let proxy: TcpChaosProxy;
  let client: Redis;
  let direct: Redis;
  const keys = createKeySpace('locks');

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

  it('are one holder at a time', async () => {
    const locks = new TicketLocks(direct, keys);
    const release = await locks.acquire('acme', '1', 5000);
    expect(release).not.toBeNull();
    expect(await locks.acquire('acme', '1', 5000)).toBeNull();
    await release!();
    expect(await locks.acquire('acme', '1', 5000)).not.toBeNull();
  });

  it('are taken when the answer to SET NX was lost and the command sent again', async () => {
    const locks = new TicketLocks(client, keys);
    const key = keys.tenant('acme').writeLock('2');
    const stalled = proxy.stall(2000, 'replies');
    const acquiring = locks.acquire('acme', '2', 60_000);
    for (let i = 0; i < 200 && (await direct.exists(key)) === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(await direct.exists(key)).toBe(1); // Redis took it; the answer is held
    proxy.resetAll();
    await stalled;
    const release = await acquiring;
    expect(release).not.toBeNull();
    await release!();
    expect(await direct.exists(key)).toBe(0);
  });
});
