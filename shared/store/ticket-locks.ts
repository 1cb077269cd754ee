/** Per-ticket locks: one write-back to a ticket at a time, across all workers. */
import { randomUUID } from 'node:crypto';
import type { KeySpace } from './keys.js';
import type { RedisClient } from './ledger-store.js';

const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export class TicketLocks {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: KeySpace,
  ) {}

  /** Returns a release function when the lock was taken, or null when someone holds it. */
  async acquire(tenant: string, ticketId: string, ttlMs: number): Promise<(() => Promise<void>) | null> {
    const key = this.keys.tenant(tenant).writeLock(ticketId);
    const token = randomUUID();
    const ok = await this.redis.set(key, token, 'PX', ttlMs, 'NX');
    // No: held by someone else, or by us when the client sent the command again after a broken
    // connection had lost its answer (then the lock holds our token: it is ours).
    if (ok !== 'OK' && (await this.redis.get(key)) !== token) return null;
    return async () => {
      await this.redis.eval(RELEASE_LOCK, 1, key, token);
    };
  }
}

