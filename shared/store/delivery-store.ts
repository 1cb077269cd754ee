/** Webhook redelivery guard: a delivery id is taken once (Redis SET NX with a TTL). */
import type { KeySpace } from './keys.js';
import type { RedisClient } from './ledger-store.js';

/** Jira retries for up to ~30 minutes and Linear for 6 hours; remember deliveries for 7 days. */
export const DEFAULT_DELIVERY_TTL_SECONDS = 7 * 24 * 3600;

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

