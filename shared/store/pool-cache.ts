/**
 * A bounded per-process cache of parsed pool snapshots for LedgerStore (see its readPool). An entry
 * is only ever served after Redis, in the same atomic read as the rest of the snapshot, confirmed
 * that the pool is still at the entry's version *and* stamp: the stamp is a token unique to each
 * write of the pool (versions alone can repeat after a Redis restart that lost writes, or a flush),
 * so content and tag never disagree. The stored outcome has a stamp of
 * its own, so the outcome this process committed last is not fetched and parsed again.
 *
 * Least recently used entries are evicted once the cached requests and outcome entries of all pools
 * exceed `maxWeight` (each pool also counts POOL_OVERHEAD), so memory stays bounded whatever the
 * number of pools. Pools smaller than `minSize` are not taken in at all: reading one costs little,
 * and many small pools each read a few times would only churn the cache (their copies live long
 * enough to be promoted out of V8's young generation, then are evicted: more heap for nothing).
 */
import type { PoolRequest } from '../domain/index.js';
import type { StoredOutcome, StoredPoolSettings } from './ledger-store.js';

/** A pool's requests and settings as of one (version, stamp) of the pool. */
export interface CachedRequests {
  version: number;
  stamp: string;
  settings: StoredPoolSettings | null;
  /** By ticket id; the objects are frozen and shared with every snapshot served. */
  requests: Map<string, PoolRequest>;
}

/** The pool's stored outcome as of one outcome stamp. */
export interface CachedOutcome {
  stamp: string;
  outcome: StoredOutcome | null;
  /**
   * The JSON text of each of `outcome`'s entries as stored, when this process wrote it: the next
   * commit of the pool reuses those of the entries that did not change.
   */
  entryTexts?: readonly string[];
}

export interface PoolCacheEntry {
  pool: CachedRequests | null;
  outcome: CachedOutcome | null;
  weight: number;
}

export interface PoolCacheStats {
  pools: number;
  weight: number;
  maxWeight: number;
  /** Reads served without fetching the pool's requests. */
  hits: number;
  /** Reads that fetched them. */
  misses: number;
  /** Reads served without fetching the stored outcome. */
  outcomeHits: number;
  /** This process's own ticket changes applied to a cached pool instead of dropping it. */
  advanced: number;
  evicted: number;
}

/** What an entry costs beyond its requests and outcome entries (maps, strings, the entry). */
export const POOL_OVERHEAD = 8;

function weightOf(entry: Omit<PoolCacheEntry, 'weight'>): number {
  return POOL_OVERHEAD + (entry.pool?.requests.size ?? 0) + (entry.outcome?.outcome?.outcome.entries.length ?? 0) + (entry.outcome?.entryTexts?.length ?? 0);
}

export class PoolCache {
  private readonly entries = new Map<string, PoolCacheEntry>();
  private total = 0;
  readonly stats: Omit<PoolCacheStats, 'pools' | 'weight' | 'maxWeight'> = { hits: 0, misses: 0, outcomeHits: 0, advanced: 0, evicted: 0 };

  constructor(
    readonly maxWeight: number,
    readonly minSize = 0,
  ) {}

  get enabled(): boolean {
    return this.maxWeight > 0;
  }

  /** The entry of a pool (by its requests key, unique per key space, tenant and pool); marks it recently used. */
  get(key: string): PoolCacheEntry | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Looks without marking the entry used. */
  peek(key: string): PoolCacheEntry | undefined {
    return this.entries.get(key);
  }

  /** Replaces what is known of a pool's requests and/or outcome (undefined: keep what is cached). */
  set(key: string, update: { pool?: CachedRequests | null; outcome?: CachedOutcome | null }): void {
    if (!this.enabled) return;
    const old = this.entries.get(key);
    const pool = update.pool !== undefined ? update.pool : (old?.pool ?? null);
    const outcome = update.outcome !== undefined ? update.outcome : (old?.outcome ?? null);
    if (old) {
      this.entries.delete(key);
      this.total -= old.weight;
    }
    if (pool === null && outcome === null) return;
    if (!old && Math.max(pool?.requests.size ?? 0, outcome?.outcome?.outcome.entries.length ?? 0) < this.minSize) return;
    const entry: PoolCacheEntry = { pool, outcome, weight: 0 };
    entry.weight = weightOf(entry);
    if (entry.weight > this.maxWeight) return;
    this.entries.set(key, entry);
    this.total += entry.weight;
    this.evict();
  }

  /** Call after changing an entry's requests in place (an advance), to account for its new size. */
  resized(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.total -= entry.weight;
    entry.weight = weightOf(entry);
    this.total += entry.weight;
    if (entry.weight > this.maxWeight) this.delete(key);
    else this.evict();
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.weight;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  snapshotStats(): PoolCacheStats {
    return { pools: this.entries.size, weight: this.total, maxWeight: this.maxWeight, ...this.stats };
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.total <= this.maxWeight) return;
      this.entries.delete(key);
      this.total -= entry.weight;
      this.stats.evicted++;
    }
  }
}
