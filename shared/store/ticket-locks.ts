/** Per-ticket locks: one write-back to a ticket at a time, across all workers. */
import { randomUUID } from 'node:crypto';
import type { KeySpace } from './keys.js';
import type { RedisClient } from './ledger-store.js';

const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type ScriptRedis = RedisClient & { poolGuardReleaseLock(key: string, token: string): Promise<number> };

export class TicketLocks {
  private readonly redis: ScriptRedis;

  constructor(
    redis: RedisClient,
    private readonly keys: KeySpace,
  ) {
    const scripts = redis as ScriptRedis;
    // By its hash (EVALSHA), not its text each time.
    if (typeof scripts.poolGuardReleaseLock !== 'function') redis.defineCommand('poolGuardReleaseLock', { numberOfKeys: 1, lua: RELEASE_LOCK });
    this.redis = scripts;
  }

  /** Returns a release function when the lock was taken, or null when someone holds it. */
  async acquire(tenant: string, ticketId: string, ttlMs: number): Promise<(() => Promise<void>) | null> {
    const key = this.keys.tenant(tenant).writeLock(ticketId);
    const token = randomUUID();
    const ok = await this.redis.set(key, token, 'PX', ttlMs, 'NX');
    // No: held by someone else, or by us when the client sent the command again after a broken
    // connection had lost its answer (then the lock holds our token: it is ours).
    if (ok !== 'OK' && (await this.redis.get(key)) !== token) return null;
    return async () => {
      await this.redis.poolGuardReleaseLock(key, token);
    };
  }
}

