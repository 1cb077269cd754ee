/**
 * Every Redis key Pool Guard writes. All keys of one tenant share the hash tag `{t:<tenant>}`, so
 * the Lua scripts (which touch several keys of one tenant) also run on Redis Cluster.
 */
export interface KeySpace {
  readonly prefix: string;
  tenant(tenantId: string): TenantKeys;
}

export interface TenantKeys {
  /** Hash: state (JSON), ver, key, excluded — the last known state of one ticket, by tracker id. */
  ticket(ticketId: string): string;
  /** Hash: ticket id -> PoolRequest JSON, the requests of one pool. */
  poolRequests(poolId: string): string;
  /**
   * String: the last committed admission outcome of one pool (JSON with its version), as written
   * before the outcome was stored in parts. Read when `poolOutcomeParts` is absent; the next commit
   * of the pool replaces it.
   */
  poolOutcome(poolId: string): string;
  /**
   * Hash: the last committed admission outcome of one pool, in parts: `h` = the outcome's JSON with
   * its entries left empty (`"entries":[]`), `n` = the number of entries, `0`..`n-1` = each entry's
   * JSON in admission order. A commit rewrites only the entries that changed.
   */
  poolOutcomeParts(poolId: string): string;
  /** Hash: pool id -> settings JSON ({limitDays, warnAtPercent, updatedAt}). */
  poolSettings(): string;
  /** Hash: pool id -> version, bumped by every change of the pool's requests or settings. */
  poolVersions(): string;
  /**
   * Hash: pool id -> stamp, a token unique to the last write of the pool's requests or settings
   * (set with every version bump), so a process can tell its cached copy of a pool is still current.
   */
  poolStamps(): string;
  /** Hash: pool id -> stamp, a token unique to the last commit of the pool's outcome. */
  poolOutcomeStamps(): string;
  /** Set of pool ids this tenant has (with requests or settings). */
  pools(): string;
  /** Set of pool ids whose requests or settings changed since their outcome was last committed. */
  dirtyPools(): string;
  /** Hash: what Pool Guard last wrote to a ticket (label, badge, comment text, comment id). */
  written(ticketId: string): string;
  /** String (PX): a write-back to one ticket is running. */
  writeLock(ticketId: string): string;
  /** String (PX, epoch ms): when an event last changed this ticket in the ledger (TicketActivity). */
  ticketActivity(ticketId: string): string;
  /** String (PX, epoch ms): when an event last changed this pool's requests (TicketActivity). */
  poolActivity(poolId: string): string;
  /** String (PX): the tracker asked us to pause until this epoch ms. */
  trackerPause(): string;
  /** String (counter, TTL): consecutive transient failures of the tenant's tracker. */
  trackerFailures(): string;
  /** Hash: cached facts about the tracker account (bot account id). */
  trackerAccount(): string;
  /** Hash: `last` = the last finished reconcile sweep's report (JSON), `running` = the one under way. */
  lastSweep(): string;
  /** String (PX): held by the one sweep of this tenant that runs now (JSON: token, owner, since). */
  sweepLock(): string;
}

/**
 * Most tenants whose key builders a key space keeps (every call for the same tenant returns the
 * same object; the worker asks several times per event). Past this many, new tenants get a fresh
 * object per call, so an unbounded number of tenant ids cannot grow memory.
 */
const MAX_CACHED_TENANTS = 10_000;

export function createKeySpace(prefix = 'pg'): KeySpace {
  const cached = new Map<string, TenantKeys>();
  return {
    prefix,
    tenant(tenantId: string): TenantKeys {
      const known = cached.get(tenantId);
      if (known) return known;
      const keys = tenantKeys(prefix, tenantId);
      if (cached.size < MAX_CACHED_TENANTS) cached.set(tenantId, keys);
      return keys;
    },
  };
}

function tenantKeys(prefix: string, tenantId: string): TenantKeys {
  const t = `${prefix}:{t:${tenantId}}`;
  const keys: TenantKeys = {
    ticket: (id) => `${t}:ticket:${id}`,
    poolRequests: (poolId) => `${t}:pool:${poolId}:requests`,
    poolOutcome: (poolId) => `${t}:pool:${poolId}:outcome`,
    poolOutcomeParts: (poolId) => `${t}:pool:${poolId}:outcome-parts`,
    poolSettings: () => `${t}:pool-settings`,
    poolVersions: () => `${t}:pool-versions`,
    poolStamps: () => `${t}:pool-stamps`,
    poolOutcomeStamps: () => `${t}:pool-outcome-stamps`,
    pools: () => `${t}:pools`,
    dirtyPools: () => `${t}:dirty-pools`,
    written: (id) => `${t}:written:${id}`,
    writeLock: (id) => `${t}:write-lock:${id}`,
    ticketActivity: (id) => `${t}:activity:ticket:${id}`,
    poolActivity: (poolId) => `${t}:activity:pool:${poolId}`,
    trackerPause: () => `${t}:tracker-pause`,
    trackerFailures: () => `${t}:tracker-failures`,
    trackerAccount: () => `${t}:tracker-account`,
    lastSweep: () => `${t}:last-sweep`,
    sweepLock: () => `${t}:sweep-lock`,
  };
  return Object.freeze(keys);
}
