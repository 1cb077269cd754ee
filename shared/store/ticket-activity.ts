/**
 * When a ticket, or a pool, last changed in the ledger (epoch ms, by the worker's clock), kept a
 * few seconds. Write-backs read it to wait for a burst of changes to end before writing: a bulk
 * edit that changes a ticket ten times in a second then costs one write instead of several.
 * Shared by every worker through Redis, so it holds whichever worker applied the change.
 */
import type { KeySpace } from './keys.js';
import type { RedisClient } from './ledger-store.js';

/** How long a change is remembered: longer than any quiet period a write-back waits for. */
export const ACTIVITY_TTL_MS = 10_000;

export class TicketActivity {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: KeySpace,
  ) {}

  /** Records that a ticket, and the pools it left or joined, changed at `at`. */
  async touch(tenant: string, ticketId: string, poolIds: Iterable<string>, at = Date.now()): Promise<void> {
    const k = this.keys.tenant(tenant);
    const stamp = String(at);
    const writes = [this.redis.set(k.ticketActivity(ticketId), stamp, 'PX', ACTIVITY_TTL_MS)];
    for (const poolId of new Set(poolIds)) writes.push(this.redis.set(k.poolActivity(poolId), stamp, 'PX', ACTIVITY_TTL_MS));
    await Promise.all(writes);
  }

  /** When the ticket last changed (0 = not within ACTIVITY_TTL_MS). */
  async ticketChangedAt(tenant: string, ticketId: string): Promise<number> {
    return Number((await this.redis.get(this.keys.tenant(tenant).ticketActivity(ticketId))) ?? 0);
  }

  /** When the pool's requests last changed through an event (0 = not within ACTIVITY_TTL_MS). */
  async poolChangedAt(tenant: string, poolId: string): Promise<number> {
    return Number((await this.redis.get(this.keys.tenant(tenant).poolActivity(poolId))) ?? 0);
  }
}
