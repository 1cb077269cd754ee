/**
 * Per-tenant tracker health shared by all workers: pauses after rate limits and failure streaks,
 * and the cached bot account id.
 */
import type { KeySpace } from './keys.js';
import type { RedisClient } from './ledger-store.js';

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

  /**
   * Counts a transient failure (5xx, timeout) of a tenant's tracker; after `threshold` in a row the
   * tenant's calls pause with exponential backoff (capped), so a tracker that is down is not
   * hammered and its jobs stop taking worker slots. Returns the pause in ms (0 = none).
   */
  async recordTransientFailure(tenant: string, options: { threshold?: number; baseMs?: number; maxMs?: number } = {}, now = Date.now()): Promise<number> {
    const threshold = options.threshold ?? 3;
    const key = this.keys.tenant(tenant).trackerFailures();
    const failures = await this.redis.incr(key);
    await this.redis.pexpire(key, 10 * 60_000);
    if (failures < threshold) return 0;
    const pauseMs = Math.min(options.maxMs ?? 60_000, (options.baseMs ?? 1000) * 2 ** (failures - threshold));
    await this.pauseUntil(tenant, now + pauseMs, now);
    return pauseMs;
  }

  /** A call to the tenant's tracker succeeded: the failure streak ends. */
  async recordSuccess(tenant: string): Promise<void> {
    await this.redis.del(this.keys.tenant(tenant).trackerFailures());
  }

  async cachedAccountId(tenant: string): Promise<string | null> {
    return this.redis.hget(this.keys.tenant(tenant).trackerAccount(), 'accountId');
  }

  async cacheAccountId(tenant: string, accountId: string): Promise<void> {
    await this.redis.hset(this.keys.tenant(tenant).trackerAccount(), 'accountId', accountId);
  }
}
