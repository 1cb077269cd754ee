import type { ReceiverDeps } from '../receiver-deps.js';

/** How long the receiver trusts what it read of a tenant's own tracker account (known, or not yet known). */
const KNOWN_TTL_MS = 60_000;
const UNKNOWN_TTL_MS = 5_000;

const cache = new Map<string, { id: string | null; at: number; reading?: Promise<string | null> }>();

/**
 * The tracker account Pool Guard acts as for a tenant, as the worker found it (it asks the tracker
 * once and keeps it in Redis), or null while no worker has yet. Read from Redis at most once a
 * minute per tenant and process; never asks the tracker. Webhooks caused by that account (Pool
 * Guard's own comment, label and badge writes) are echoes: the receiver acknowledges and drops them
 * instead of queueing work that the worker would only drop.
 */
export async function ownAccountId(deps: ReceiverDeps, tenantId: string, now = Date.now()): Promise<string | null> {
  const known = cache.get(tenantId);
  if (known && now - known.at < (known.id === null ? UNKNOWN_TTL_MS : KNOWN_TTL_MS)) return known.id;
  if (known?.reading) return known.reading;
  const reading = deps.throttle
    .cachedAccountId(tenantId)
    .catch(() => null)
    .then((id) => {
      cache.set(tenantId, { id, at: Date.now() });
      return id;
    });
  cache.set(tenantId, { id: known?.id ?? null, at: known?.at ?? 0, reading });
  return reading;
}

/** Forgets what was read (tests). */
export function forgetOwnAccounts(): void {
  cache.clear();
}
