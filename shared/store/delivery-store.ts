/**
 * Webhook redelivery guard, per-ticket write locks and per-tenant tracker pauses: the small pieces
 * of coordination state that receivers and workers share through Redis.
 */
import { randomUUID } from 'node:crypto';
import type { KeySpace } from './keys.js';
import type { RedisClient } from './ledger-store.js';

/** Jira retries for up to ~30 minutes and Linear for 6 hours; remember deliveries for 7 days. */
export const DEFAULT_DELIVERY_TTL_SECONDS = 7 * 24 * 3600;

const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export class DeliveryStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: KeySpace,
    private readonly ttlSeconds = DEFAULT_DELIVERY_TTL_SECONDS,
  ) {}

  /** True when this delivery is new (and is now remembered); false for a redelivery. */
  async claim(tenant: string, deliveryId: string): Promise<boolean> {
    const ok = await this.redis.set(this.keys.tenant(tenant).delivery(deliveryId), '1', 'EX', this.ttlSeconds, 'NX');
    return ok === 'OK';
  }

  /** Forgets a delivery whose event could not be made durable, so the tracker's retry is taken. */
  async release(tenant: string, deliveryId: string): Promise<void> {
    await this.redis.del(this.keys.tenant(tenant).delivery(deliveryId));
  }
}

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
    if (ok !== 'OK') return null;
    return async () => {
      await this.redis.eval(RELEASE_LOCK, 1, key, token);
    };
  }
}

export class TrackerThrottle {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: KeySpace,
  ) {}

  /** Pauses all calls to one tenant's tracker until `untilMs` (keeps the later of two pauses). */
  async pauseUntil(tenant: string, untilMs: number, now = Date.now()): Promise<void> {
    const ms = Math.max(1, Math.ceil(untilMs - now));
    const key = this.keys.tenant(tenant).trackerPause();
    const current = Number((await this.redis.get(key)) ?? 0);
    if (current >= untilMs) return;
    await this.redis.set(key, String(untilMs), 'PX', ms);
  }

  /** Epoch ms until which the tenant's tracker is paused, or 0. */
  async pausedUntil(tenant: string, now = Date.now()): Promise<number> {
    const until = Number((await this.redis.get(this.keys.tenant(tenant).trackerPause())) ?? 0);
    return until > now ? until : 0;
  }

  async cachedAccountId(tenant: string): Promise<string | null> {
    return this.redis.hget(this.keys.tenant(tenant).trackerAccount(), 'accountId');
  }

  async cacheAccountId(tenant: string, accountId: string): Promise<void> {
    await this.redis.hset(this.keys.tenant(tenant).trackerAccount(), 'accountId', accountId);
  }
}
