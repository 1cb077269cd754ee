/**
 * Redis connections from a URL. `REDIS_URL` may name one server (`redis://host:6379/0`,
 * `rediss://` for TLS) or the nodes of a Redis Cluster (`redis+cluster://h1:7000,h2:7001`).
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisClient } from './ledger-store.js';

export interface RedisConnectionOptions {
  /** BullMQ workers need `maxRetriesPerRequest: null` (blocking commands); commands elsewhere fail fast. */
  forBlocking?: boolean;
  connectionName?: string;
  /**
   * Sends the commands issued in one tick of the event loop in one write (ioredis auto-pipelining):
   * many concurrent requests then share round trips. For processes that issue no blocking command
   * (the receiver).
   */
  autoPipelining?: boolean;
}

export function isClusterUrl(url: string): boolean {
  return url.startsWith('redis+cluster://') || url.startsWith('rediss+cluster://');
}

export function createRedisConnection(url: string, options: RedisConnectionOptions = {}): RedisClient {
  const common: RedisOptions = {
    maxRetriesPerRequest: options.forBlocking ? null : 3,
    enableReadyCheck: true,
    ...(options.autoPipelining ? { enableAutoPipelining: true } : {}),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  };
  if (isClusterUrl(url)) {
    const tls = url.startsWith('rediss+');
    const rest = url.replace(/^rediss?\+cluster:\/\//, '');
    const [auth, hosts] = rest.includes('@') ? (rest.split('@', 2) as [string, string]) : [null, rest];
    const nodes = hosts.split(',').map((h) => {
      const [host, port] = h.split(':');
      return { host: host ?? '127.0.0.1', port: Number(port ?? 6379) };
    });
    const [username, password] = auth ? auth.split(':') : [undefined, undefined];
    return new Cluster(nodes, {
      redisOptions: {
        ...common,
        ...(username ? { username: decodeURIComponent(username) } : {}),
        ...(password ? { password: decodeURIComponent(password) } : {}),
        ...(tls ? { tls: {} } : {}),
      },
    });
  }
  return new Redis(url, common);
}

/** A short, credential-free description of a Redis URL for logs. */
export function describeRedisUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
