/**
 * A Redis whose replies can be lost: a private `redis-server`, a client that reaches it through a
 * TCP chaos proxy, and a direct client to look at what Redis really holds. For the "SET NX ran,
 * its answer was lost, the client sent it again" cases of locks and leases.
 */
import { expect } from '@jest/globals';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../../../../test/redis-server.js';
import { startTcpChaosProxy, type TcpChaosProxy } from '../../../../test/tcp-chaos-proxy.js';

export interface LostReplyRedis {
  /** Reaches Redis through the proxy: its replies can be held back and its connection reset. */
  client: Redis;
  /** Reaches Redis directly. */
  direct: Redis;
  /**
   * Runs `command` (through `client`) with its reply held back until Redis holds `key`, then breaks
   * the connection: the client sends the command again on a new one. Returns what the call answers.
   */
  withReplyLost<T>(key: string, command: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

export async function startLostReplyRedis(): Promise<LostReplyRedis> {
  const redis: RedisServerHandle = await startRedisServer();
  const proxy: TcpChaosProxy = await startTcpChaosProxy(redis.port);
  const client = new Redis(proxy.port, '127.0.0.1', { maxRetriesPerRequest: 3 });
  const direct = new Redis(redis.url);
  await client.ping();
  return {
    client,
    direct,
    async withReplyLost(key, command) {
      const stalled = proxy.stall(2000, 'replies');
      const answer = command();
      for (let i = 0; i < 200 && (await direct.exists(key)) === 0; i++) await new Promise((r) => setTimeout(r, 5));
      expect(await direct.exists(key)).toBe(1); // Redis ran it; the answer is held
      proxy.resetAll();
      await stalled;
      return answer;
    },
    async stop() {
      client.disconnect();
      direct.disconnect();
      await proxy.close();
      await redis.stop();
    },
  };
}
