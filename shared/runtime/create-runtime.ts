/**
 * The parts every Pool Guard process shares, built once by a composition root (a service's
 * main.ts): Redis connections, the ledger store, queues, tenants with their tracker clients.
 */
import type { ConnectionOptions } from 'bullmq';
import type { ConfigFile } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { createQueues, type PoolGuardQueues } from '../queue/index.js';
import {
  LedgerStore,
  type LedgerStoreOptions,
  SweepStore,
  TicketActivity,
  TicketLocks,
  TrackerThrottle,
  createKeySpace,
  createRedisConnection,
  type KeySpace,
  type RedisClient,
} from '../store/index.js';
import { createTenantRegistry, type TenantRegistry, type TrackerPlugins } from '../tracker/index.js';

export interface Runtime {
  logger: Logger;
  config: Readonly<ConfigFile>;
  redisUrl: string;
  /** Commands (fail fast when Redis is away). */
  redis: RedisClient;
  /** For BullMQ workers (blocking commands, retried forever). */
  bullConnection: ConnectionOptions;
  keys: KeySpace;
  store: LedgerStore;
  locks: TicketLocks;
  /** When tickets and pools last changed (write-backs wait for a burst to end). */
  activity: TicketActivity;
  throttle: TrackerThrottle;
  /** Reconcile sweeps: the per-tenant lease and the last report. */
  sweeps: SweepStore;
  queues: PoolGuardQueues;
  tenants: TenantRegistry;
  /** True when Redis answers PING. */
  redisHealthy(): Promise<boolean>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  config: Readonly<ConfigFile>;
  redisUrl: string;
  plugins: TrackerPlugins;
  logger: Logger;
  /**
   * Auto-pipeline Redis commands (see RedisConnectionOptions): `true` on both connections (a
   * process without BullMQ workers: the receiver), `'commands'` on the command connection only (the
   * ledger, locks and throttle; a worker process, whose queue connection also serves blocking reads).
   */
  redisAutoPipelining?: boolean | 'commands';
  /** The ledger's per-process pool cache (LedgerStoreOptions); its defaults suit every service. */
  poolCache?: Pick<LedgerStoreOptions, 'poolCacheWeight' | 'poolCacheMinRequests'>;
}

export function createRuntime(options: RuntimeOptions): Runtime {
  const { config, logger } = options;
  const pipelined = options.redisAutoPipelining ?? false;
  const redis = createRedisConnection(options.redisUrl, { connectionName: 'pool-guard', autoPipelining: pipelined !== false });
  const bullRedis = createRedisConnection(options.redisUrl, { forBlocking: true, connectionName: 'pool-guard-queue', autoPipelining: pipelined === true });
  redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  bullRedis.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis (queue) connection error'));
  const keys = createKeySpace(config.redisKeyPrefix);
  const store = new LedgerStore({ redis, keys, ...options.poolCache });
  const queues = createQueues(bullRedis as ConnectionOptions, redis, config.redisKeyPrefix);
  return {
    logger,
    config,
    redisUrl: options.redisUrl,
    redis,
    bullConnection: bullRedis as ConnectionOptions,
    keys,
    store,
    locks: new TicketLocks(redis, keys),
    activity: new TicketActivity(redis, keys),
    throttle: new TrackerThrottle(redis, keys),
    sweeps: new SweepStore(redis, keys),
    queues,
    tenants: createTenantRegistry(config.tenants, options.plugins, logger),
    async redisHealthy() {
      try {
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      await queues.close();
      await Promise.allSettled([redis.quit(), bullRedis.quit()]);
    },
  };
}
