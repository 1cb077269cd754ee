/**
 * The pool ledger on Redis: per-ticket state, per-pool requests, settings and admission outcomes.
 * Writes are compare-and-set on versions (Lua), so two workers racing on one ticket or one pool
 * never both win: the loser re-reads and decides again with the pure domain rules.
 */
import { randomBytes } from 'node:crypto';
import type { Redis, Cluster } from 'ioredis';
import {
  compareAdmissionOrder,
  decideTicketChange,
  poolIdOf,
  type AdmissionEntry,
  type PoolOutcome,
  type PoolRequest,
  type PoolSettings,
  type StoredTicketState,
  type TicketChange,
} from '../domain/index.js';
import { createKeySpace, type KeySpace } from './keys.js';
import { PoolCache, type CachedOutcome, type CachedRequests, type PoolCacheStats } from './pool-cache.js';
import { CAS_TICKET, COMMIT_OUTCOME, READ_POOL, READ_POOL_FIGURES } from './scripts.js';

export type RedisClient = Redis | Cluster;

/** Why a ticket is not (or no longer) counted, for the comment that says it left its pool. */
export type ExcludedReason = 'no-longer-custom' | 'canceled';

export interface TicketRecord {
  ticketId: string;
  /** Last known human key (keys change when a Jira issue moves project). */
  key: string | null;
  state: StoredTicketState;
  version: number;
  excluded: ExcludedReason | null;
}

export type ApplyTicketResult =
  | { applied: false; reason: 'stale' | 'deleted' | 'unchanged' }
  | { applied: true; previous: PoolRequest | null; next: PoolRequest | null; affectedPools: string[]; deleted: boolean };

export interface StoredPoolSettings extends PoolSettings {
  updatedAt: string;
}

export interface StoredOutcome {
  version: number;
  computedAt: string;
  outcome: PoolOutcome;
}

export interface PoolSnapshot {
  poolId: string;
  scope: string;
  quarter: string;
  /** Null when no admin ever set this pool. */
  settings: StoredPoolSettings | null;
  requests: PoolRequest[];
  version: number;
  outcome: StoredOutcome | null;
}

/** A pool's settings and the figures of its last committed outcome (see LedgerStore.readCommittedFigures). */
export interface CommittedFigures {
  settings: StoredPoolSettings | null;
  figures: Omit<PoolOutcome, 'entries'>;
}

export interface WrittenState {
  label: string | null;
  /** JSON text of the badge last written, or null (none / removed). */
  badge: string | null;
  /** Plain text of the comment last written, or null. */
  comment: string | null;
  commentId: string | null;
  /**
   * A write-back started its tracker calls and has not recorded their end (it may have died
   * midway): the ticket may show anything between the fields above and what it had before, so the
   * next write-back writes every part again. `badge` then holds the last badge the ticket may show.
   */
  uncertain?: boolean;
}

/** A part of a ticket's write-back that can be forgotten on its own (the comment keeps its id). */
export type WrittenPart = 'label' | 'badge' | 'comment';

const FORGET_WRITTEN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
`;

export interface LedgerStoreOptions {
  redis: RedisClient;
  keys?: KeySpace;
  /** How long a deleted ticket's tombstone is kept (so late events cannot resurrect it; only a newer version revives a revivable one). */
  tombstoneTtlSeconds?: number;
  /**
   * How long the record of a ticket that does not count (never did, or left every pool) is kept
   * after its last change: long enough that no read of the ticket taken before that change can
   * still be in flight, so a late, older read cannot count the ticket again (default 7 days).
   */
  notCountedTtlSeconds?: number;
  /** How many compare-and-set rounds before giving up (the job is then retried). */
  maxCasAttempts?: number;
  /**
   * Bound of the per-process cache of parsed pools, in cached requests plus outcome entries (a pool
   * of 1,000 requests with its outcome weighs about 3,000). 0 turns the cache off.
   */
  poolCacheWeight?: number;
  /** Pools with fewer requests than this are read from Redis every time (default 100). */
  poolCacheMinRequests?: number;
}

/**
 * Default bound of the pool cache: three pools of 1,000 requests (a request, its outcome entry and
 * the entry's JSON text weigh 3), or some sixty pools of 50; about 2 MB of heap when full. Twice
 * that bound, with small pools cached too, raised a worker's peak RSS by 10–20 MB over 2,000 pools
 * (the pools taking turns in it are garbage for the old generation) and gained nothing measurable.
 */
export const DEFAULT_POOL_CACHE_WEIGHT = 10_000;

/**
 * Pools below this size are not cached: a handful of requests is read and parsed in microseconds.
 * From 10 up they are: a team's pool of a few tens of tickets is read by the burst's recompute and
 * by each of its tickets' write-backs between two changes, and served from the cache those reads
 * skip the transfer and the parse (at 200 changes/s over pools of 25, four alternating A/B pairs
 * against a threshold of 100: end-to-end p95 996 → 834 ms on average). The cache stays bounded by
 * its weight (DEFAULT_POOL_CACHE_WEIGHT), so many small pools only take turns in it.
 */
export const DEFAULT_POOL_CACHE_MIN_REQUESTS = 10;

const EPOCH = '1970-01-01T00:00:00.000Z';

export function splitPoolId(poolId: string): { scope: string; quarter: string } {
  const slash = poolId.lastIndexOf('/');
  return { scope: poolId.slice(0, slash), quarter: poolId.slice(slash + 1) };
}

export class CasConflictError extends Error {
  override readonly name = 'CasConflictError';
}

/** CAS_TICKET's reply: -1, or the ticket's new version and each touched pool's version and stamp before and after. */
type CasReply = -1 | [number, string | null, string | null, string | null, string | null, string | null, string | null];
/** READ_POOL's reply (the outcome: its parts, flat, or the legacy JSON string). */
type ReadPoolReply = [string, string | null, string | null, string | null, string[] | null, string[] | string | null];

type ScriptRedis = RedisClient & {
  poolGuardCasTicket(...args: (string | number)[]): Promise<CasReply>;
  poolGuardCommitOutcome(...args: string[]): Promise<number>;
  poolGuardReadPool(...args: (string | number)[]): Promise<ReadPoolReply>;
  poolGuardReadPoolFigures(...args: string[]): Promise<[string, string | null, string | null, string | null]>;
};

/**
 * Freezes a stored outcome through its entries (their fields are primitives), as the cache shares it
 * with every snapshot it serves.
 */
function freezeOutcome(stored: StoredOutcome): StoredOutcome {
  for (const e of stored.outcome.entries) Object.freeze(e);
  Object.freeze(stored.outcome.entries);
  Object.freeze(stored.outcome);
  return Object.freeze(stored);
}

/** Every field of AdmissionEntry; the mapped type makes the compiler flag a field added later. */
const ENTRY_FIELDS: { readonly [K in keyof AdmissionEntry]-?: true } = { key: true, days: true, rank: true, standing: true, state: true };
const ENTRY_FIELD_NAMES = Object.keys(ENTRY_FIELDS) as (keyof AdmissionEntry)[];

function sameEntry(a: AdmissionEntry, b: AdmissionEntry): boolean {
  for (const f of ENTRY_FIELD_NAMES) if (a[f] !== b[f]) return false;
  return true;
}

/** An outcome as COMMIT_OUTCOME stores it: see KeySpace.poolOutcomeParts. */
export interface EncodedOutcome {
  /** The outcome's JSON with `"entries":[]`. */
  head: string;
  /** Every entry's JSON, in order. */
  entryTexts: string[];
  /** The stamp of the stored outcome `delta` was computed against, or '' when `delta` is every entry. */
  base: string;
  /** Index, entry JSON, index, entry JSON, ...: the entries to write. */
  delta: string[];
}

/**
 * Encodes an outcome for COMMIT_OUTCOME. With `previous` (the stored outcome this process holds,
 * with the texts its entries were stored as), an entry equal to previous's at the same place keeps
 * its text and is left out of the delta, so an event that moves a few entries of a big pool writes
 * a few entries, not all of them.
 */
export function encodeOutcome(stored: StoredOutcome, previous?: CachedOutcome | null): EncodedOutcome {
  const { entries } = stored.outcome;
  const head = JSON.stringify({ ...stored, outcome: { ...stored.outcome, entries: [] } });
  const priorTexts = previous?.outcome && previous.entryTexts ? previous.entryTexts : null;
  const prior = priorTexts ? previous!.outcome!.outcome.entries : [];
  const entryTexts = new Array<string>(entries.length);
  const delta: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const p = prior[i];
    if (p !== undefined && (p === e || sameEntry(p, e))) entryTexts[i] = priorTexts![i]!;
    else {
      const text = JSON.stringify(e);
      entryTexts[i] = text;
      delta.push(String(i), text);
    }
  }
  if (!priorTexts) return { head, entryTexts, base: '', delta };
  return { head, entryTexts, base: previous!.stamp, delta };
}

/** Every entry of an encoded outcome, for a whole write. */
function wholeDelta(entryTexts: readonly string[]): string[] {
  const delta = new Array<string>(entryTexts.length * 2);
  for (let i = 0; i < entryTexts.length; i++) {
    delta[2 * i] = String(i);
    delta[2 * i + 1] = entryTexts[i]!;
  }
  return delta;
}

/**
 * A stored outcome from READ_POOL's reply: its parts (flat field, value, ...), with the texts of its
 * entries, or the legacy JSON string. Parts that do not make a whole outcome (an entry missing) are
 * no outcome: the pool is recomputed and the next commit writes it whole.
 */
function decodeOutcome(raw: string[] | string | null): { outcome: StoredOutcome | null; entryTexts?: string[] } {
  if (raw === null) return { outcome: null };
  if (typeof raw === 'string') return { outcome: freezeOutcome(JSON.parse(raw) as StoredOutcome) };
  let head: string | undefined;
  let n = -1;
  const texts: (string | undefined)[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const field = raw[i]!;
    if (field === 'h') head = raw[i + 1];
    else if (field === 'n') n = Number(raw[i + 1]);
    else texts[Number(field)] = raw[i + 1];
  }
  if (head === undefined || !Number.isInteger(n) || n < 0 || texts.length > n) return { outcome: null };
  const entryTexts = new Array<string>(n);
  const entries = new Array<AdmissionEntry>(n);
  for (let i = 0; i < n; i++) {
    const text = texts[i];
    if (text === undefined) return { outcome: null };
    entryTexts[i] = text;
    entries[i] = JSON.parse(text) as AdmissionEntry;
  }
  const stored = JSON.parse(head) as StoredOutcome;
  stored.outcome.entries = entries;
  return { outcome: freezeOutcome(stored), entryTexts };
}

function parseRequest(json: string): PoolRequest {
  // PoolRequest's fields are all primitives: a shallow freeze is a deep one.
  return Object.freeze(JSON.parse(json) as PoolRequest);
}

export class LedgerStore {
  readonly keys: KeySpace;
  private readonly redis: ScriptRedis;
  private readonly tombstoneTtl: number;
  private readonly notCountedTtl: number;
  private readonly maxCas: number;
  private readonly cache: PoolCache;
  /** Stamps of this store's writes: a random prefix and a counter, so no two writes anywhere share one. */
  private readonly stampPrefix = `${randomBytes(9).toString('base64url')}.`;
  private stampSeq = 0;

  constructor(options: LedgerStoreOptions) {
    this.keys = options.keys ?? createKeySpace();
    this.tombstoneTtl = options.tombstoneTtlSeconds ?? 90 * 24 * 3600;
    this.notCountedTtl = options.notCountedTtlSeconds ?? 7 * 24 * 3600;
    this.maxCas = options.maxCasAttempts ?? 20;
    this.cache = new PoolCache(options.poolCacheWeight ?? DEFAULT_POOL_CACHE_WEIGHT, options.poolCacheMinRequests ?? DEFAULT_POOL_CACHE_MIN_REQUESTS);
    const redis = options.redis as ScriptRedis;
    if (typeof redis.poolGuardReadPool !== 'function') {
      redis.defineCommand('poolGuardCasTicket', { numberOfKeys: 7, lua: CAS_TICKET });
      redis.defineCommand('poolGuardCommitOutcome', { numberOfKeys: 5, lua: COMMIT_OUTCOME });
      redis.defineCommand('poolGuardReadPool', { numberOfKeys: 7, lua: READ_POOL });
      redis.defineCommand('poolGuardReadPoolFigures', { numberOfKeys: 4, lua: READ_POOL_FIGURES });
    }
    this.redis = redis;
  }

  /** What the pool cache holds and how it has served (for tests and diagnostics). */
  poolCacheStats(): PoolCacheStats {
    return this.cache.snapshotStats();
  }

  private nextStamp(): string {
    return this.stampPrefix + (this.stampSeq++).toString(36);
  }

  async getTicket(tenant: string, ticketId: string): Promise<TicketRecord | null> {
    const h = await this.redis.hgetall(this.keys.tenant(tenant).ticket(ticketId));
    return parseTicketHash(ticketId, h);
  }

  /**
   * Applies one change to a ticket with the domain's ordering rules (stale / deleted / unchanged),
   * moving its request between pools atomically. Safe to call twice with the same change.
   */
  async applyTicketChange(
    tenant: string,
    ticketId: string,
    change: TicketChange,
    meta: { key: string | null; excluded: ExcludedReason | null },
    /**
     * The ticket's record as the caller read it already (`getTicket`), e.g. alongside another
     * read: the first attempt decides on it, and the compare-and-set on its version catches a
     * change since (the next attempt reads again).
     */
    known?: TicketRecord | null,
  ): Promise<ApplyTicketResult> {
    const k = this.keys.tenant(tenant);
    for (let attempt = 0; attempt < this.maxCas; attempt++) {
      const record = attempt === 0 && known !== undefined ? known : await this.getTicket(tenant, ticketId);
      // Every observation leaves a trace, even of a ticket that never counted (most tickets of a
      // tracker): a read taken before it, stored late by a slower worker, must find a newer version
      // and be `stale`, not count the ticket again. Records of tickets that do not count expire
      // (notCountedTtl), tombstones of deletions too (tombstoneTtl); those of counted tickets stay.
      const decision = decideTicketChange(record?.state ?? null, change);
      if (!decision.apply) {
        return { applied: false, reason: decision.reason };
      }
      const previous = record?.state.request ?? null;
      const next = decision.next.request;
      const oldPool = previous ? poolIdOf(previous) : '';
      const newPool = next ? poolIdOf(next) : '';
      const ttl = decision.next.deleted ? this.tombstoneTtl : next === null ? this.notCountedTtl : 0;
      const nextJson = next ? JSON.stringify(next) : '';
      const stamp = this.nextStamp();
      const result = await this.redis.poolGuardCasTicket(
        k.ticket(ticketId),
        k.poolRequests(oldPool || newPool || '-'),
        k.poolRequests(newPool || oldPool || '-'),
        k.poolVersions(),
        k.pools(),
        k.dirtyPools(),
        k.poolStamps(),
        String(record?.version ?? 0),
        JSON.stringify(decision.next),
        ticketId,
        oldPool,
        newPool,
        nextJson,
        meta.key ?? record?.key ?? '',
        meta.excluded ?? '',
        ttl,
        stamp,
      );
      if (result !== -1) {
        this.advanceCachedPools(tenant, ticketId, oldPool, newPool, nextJson, stamp, result);
        const affectedPools = [...new Set([oldPool, newPool].filter((p) => p !== ''))];
        return { applied: true, previous, next, affectedPools, deleted: decision.next.deleted };
      }
    }
    throw new CasConflictError(`ticket ${ticketId} of ${tenant} kept changing under ${this.maxCas} attempts`);
  }

  /**
   * Moves this process's cached copies of the pools a ticket change of its own touched along with
   * it, when they were exactly the pools it changed (same version and stamp before the change);
   * otherwise they are left as they are, and the next read finds them out of date.
   */
  private advanceCachedPools(
    tenant: string,
    ticketId: string,
    oldPool: string,
    newPool: string,
    nextJson: string,
    stamp: string,
    reply: Exclude<CasReply, -1>,
  ): void {
    if (!this.cache.enabled) return;
    const k = this.keys.tenant(tenant);
    const [, oldBefore, oldStamp, oldAfter, newBefore, newStamp, newAfter] = reply;
    let request: PoolRequest | null = null;
    const advance = (poolId: string, before: string | null, stampBefore: string | null, after: string | null, put: boolean, del: boolean) => {
      const key = k.poolRequests(poolId);
      const cached = this.cache.peek(key)?.pool;
      if (!cached) return;
      if (stampBefore === null || cached.stamp !== stampBefore || String(cached.version) !== before || after === null) {
        // Another process's change came first: what this copy lacks is unknown.
        this.cache.set(key, { pool: null });
        return;
      }
      if (del) cached.requests.delete(ticketId);
      if (put) {
        request ??= parseRequest(nextJson);
        cached.requests.set(ticketId, request);
      }
      cached.version = Number(after);
      cached.stamp = stamp;
      this.cache.stats.advanced++;
      this.cache.resized(key);
    };
    if (oldPool !== '' && oldPool === newPool) advance(oldPool, oldBefore, oldStamp, newAfter, true, true);
    else {
      if (oldPool !== '') advance(oldPool, oldBefore, oldStamp, oldAfter, false, true);
      if (newPool !== '') advance(newPool, newBefore, newStamp, newAfter, true, false);
    }
  }

  /**
   * The pool as it is in Redis now. Parsed requests, settings and the stored outcome are kept per
   * process (bounded, see PoolCache) and served again only when Redis confirms, in the same atomic
   * read, that the pool and its outcome are still at the versions and stamps they were cached at.
   * The snapshot's objects are shared and frozen: read them, never change them.
   */
  async readPool(tenant: string, poolId: string): Promise<PoolSnapshot> {
    const k = this.keys.tenant(tenant);
    const key = k.poolRequests(poolId);
    for (let attempt = 0; ; attempt++) {
      // A second attempt asks for everything: the cached entry changed while the first was read.
      const entry = attempt === 0 && this.cache.enabled ? this.cache.get(key) : undefined;
      const [version, stamp, outcomeStamp, settingsJson, flat, outcomeRaw] = await this.redis.poolGuardReadPool(
        key,
        k.poolSettings(),
        k.poolVersions(),
        k.poolStamps(),
        k.poolOutcomeParts(poolId),
        k.poolOutcomeStamps(),
        k.poolOutcome(poolId),
        poolId,
        entry?.pool ? String(entry.pool.version) : '',
        entry?.pool?.stamp ?? '',
        entry?.outcome?.stamp ?? '',
      );
      let pool: CachedRequests | null;
      if (flat === null) {
        // Left out: the entry held this (version, stamp) when it was sent; it may have moved since.
        const now = this.cache.peek(key)?.pool;
        if (!now || now.stamp !== stamp || String(now.version) !== version) continue;
        pool = now;
        this.cache.stats.hits++;
      } else {
        const parsed = new Array<{ id: string; request: PoolRequest }>(flat.length >> 1);
        for (let i = 0; i + 1 < flat.length; i += 2) parsed[i >> 1] = { id: flat[i]!, request: parseRequest(flat[i + 1]!) };
        // In admission order: a cached pool moves by a request or two per change, so admitting it
        // again sorts a nearly sorted list (about n comparisons instead of n log n).
        parsed.sort((x, y) => compareAdmissionOrder(x.request, y.request));
        const requests = new Map<string, PoolRequest>();
        for (const { id, request } of parsed) requests.set(id, request);
        const settings = settingsJson ? (Object.freeze(JSON.parse(settingsJson)) as StoredPoolSettings) : null;
        pool = { version: Number(version), stamp: stamp ?? '', settings, requests };
        this.cache.stats.misses++;
        // A pool without a stamp (last written before stamps) cannot be checked later: not kept.
        this.cache.set(key, { pool: stamp !== null ? pool : null });
      }
      let outcome: StoredOutcome | null;
      if (outcomeRaw === null && outcomeStamp !== null && entry?.outcome) {
        // Left out: the entry held this outcome stamp when it was sent; it may have moved since.
        const now = this.cache.peek(key)?.outcome;
        if (!now || now.stamp !== outcomeStamp) continue;
        outcome = now.outcome;
        this.cache.stats.outcomeHits++;
      } else {
        const decoded = decodeOutcome(outcomeRaw);
        outcome = decoded.outcome;
        this.cache.set(key, {
          outcome: outcomeStamp !== null ? { stamp: outcomeStamp, outcome, ...(decoded.entryTexts ? { entryTexts: decoded.entryTexts } : {}) } : null,
        });
      }
      return {
        poolId,
        ...splitPoolId(poolId),
        settings: pool.settings,
        requests: [...pool.requests.values()],
        version: pool.version,
        outcome,
      };
    }
  }

  /**
   * Each pool's figures as its last committed outcome has them (limit, used and free days...; no
   * entries), when that outcome is of the pool's current requests and settings; null for a pool
   * changed since its last commit (or never committed): read that pool and admit it then. A small
   * read per pool, where `readPool` fetches every request.
   */
  async readCommittedFigures(tenant: string, poolIds: readonly string[]): Promise<Array<CommittedFigures | null>> {
    return Promise.all(poolIds.map((poolId) => this.readCommittedFiguresOf(tenant, poolId)));
  }

  private async readCommittedFiguresOf(tenant: string, poolId: string): Promise<CommittedFigures | null> {
    const k = this.keys.tenant(tenant);
    const [version, settingsJson, head, legacy] = await this.redis.poolGuardReadPoolFigures(k.poolSettings(), k.poolVersions(), k.poolOutcomeParts(poolId), k.poolOutcome(poolId), poolId);
    const text = head ?? legacy;
    if (text === null) return null;
    const stored = JSON.parse(text) as StoredOutcome;
    if (String(stored.version) !== version) return null;
    const { entries: _entries, ...figures } = stored.outcome;
    return { settings: settingsJson ? (JSON.parse(settingsJson) as StoredPoolSettings) : null, figures };
  }

  /** Reads several pools of one tenant concurrently. */
  async readPools(tenant: string, poolIds: readonly string[]): Promise<PoolSnapshot[]> {
    return Promise.all(poolIds.map((id) => this.readPool(tenant, id)));
  }

  /**
   * Stores an outcome computed from the snapshot at `version` and clears the pool's dirty mark.
   * False when the pool changed meanwhile: recompute and try again.
   */
  async commitOutcome(tenant: string, poolId: string, version: number, outcome: PoolOutcome, now = new Date()): Promise<boolean> {
    const k = this.keys.tenant(tenant);
    const stored: StoredOutcome = { version, computedAt: now.toISOString(), outcome };
    const stamp = this.nextStamp();
    const key = k.poolRequests(poolId);
    // Against the outcome this process holds (confirmed by its stamp in the script), only the
    // entries that changed are sent: an event on a pool of 1,000 requests writes a few entries, not
    // an 88 KB outcome.
    const encoded = encodeOutcome(stored, this.cache.enabled ? this.cache.peek(key)?.outcome : null);
    const commit = (base: string, delta: string[]) =>
      this.redis.poolGuardCommitOutcome(
        k.poolVersions(),
        k.poolOutcomeParts(poolId),
        k.dirtyPools(),
        k.poolOutcomeStamps(),
        k.poolOutcome(poolId),
        poolId,
        String(version),
        encoded.head,
        stamp,
        String(encoded.entryTexts.length),
        base,
        ...delta,
      );
    let ok = await commit(encoded.base, encoded.delta);
    // Another process stored an outcome since this one's was read: write this one whole.
    if (ok === 2) ok = await commit('', wholeDelta(encoded.entryTexts));
    // The outcome just stored need not be fetched and parsed again by this process. It is shared
    // with the caller from now on, so it is frozen.
    if (ok === 1) this.cache.set(key, { outcome: { stamp, outcome: freezeOutcome(stored), entryTexts: encoded.entryTexts } });
    return ok === 1;
  }

  /** Pools whose outcome is older than their requests or settings (a worker died mid-way, say). */
  async dirtyPoolIds(tenant: string): Promise<string[]> {
    return this.redis.smembers(this.keys.tenant(tenant).dirtyPools());
  }

  async setPoolSettings(tenant: string, poolId: string, settings: PoolSettings, now = new Date()): Promise<StoredPoolSettings> {
    const k = this.keys.tenant(tenant);
    const stored: StoredPoolSettings = { ...settings, updatedAt: now.toISOString() };
    await this.redis
      .multi()
      .hset(k.poolSettings(), poolId, JSON.stringify(stored))
      .hincrby(k.poolVersions(), poolId, 1)
      .hset(k.poolStamps(), poolId, this.nextStamp())
      .sadd(k.pools(), poolId)
      .sadd(k.dirtyPools(), poolId)
      .exec();
    return stored;
  }

  async listPoolIds(tenant: string): Promise<string[]> {
    const ids = await this.redis.smembers(this.keys.tenant(tenant).pools());
    return ids.sort();
  }

  async getWritten(tenant: string, ticketId: string): Promise<WrittenState | null> {
    return parseWrittenHash(await this.redis.hgetall(this.keys.tenant(tenant).written(ticketId)));
  }

  /**
   * A ticket's record and what Pool Guard last wrote to it, read together (one round trip): what a
   * write-back starts from, under the ticket's write lock.
   */
  async getTicketAndWritten(tenant: string, ticketId: string): Promise<{ record: TicketRecord | null; written: WrittenState | null }> {
    const k = this.keys.tenant(tenant);
    const [ticket, written] = await Promise.all([this.redis.hgetall(k.ticket(ticketId)), this.redis.hgetall(k.written(ticketId))]);
    return { record: parseTicketHash(ticketId, ticket), written: parseWrittenHash(written) };
  }

  /**
   * Forgets parts of what Pool Guard last wrote to a ticket, so that its next write-back writes
   * them again: the sweep's repair when a person removed a pool label, changed the badge or deleted
   * Pool Guard's comment. The comment id is kept (an edit of it finds out whether it still exists).
   * Call it under the ticket's write lock, or a running write-back may write the record back.
   */
  async forgetWritten(tenant: string, ticketId: string, parts: readonly WrittenPart[]): Promise<void> {
    if (parts.length === 0) return;
    const key = this.keys.tenant(tenant).written(ticketId);
    const fields = Object.fromEntries(parts.map((p) => [p, '']));
    // Only a record that exists: a ticket never written to has nothing to forget.
    await this.redis.eval(FORGET_WRITTEN, 1, key, ...Object.entries(fields).flat());
  }

  /** Forgets everything Pool Guard recorded writing to a ticket (one that is gone from the tracker). */
  async deleteWritten(tenant: string, ticketId: string): Promise<void> {
    await this.redis.del(this.keys.tenant(tenant).written(ticketId));
  }

  async setWritten(tenant: string, ticketId: string, written: WrittenState): Promise<void> {
    await this.redis.hset(this.keys.tenant(tenant).written(ticketId), {
      label: written.label ?? '',
      badge: written.badge ?? '',
      comment: written.comment ?? '',
      commentId: written.commentId ?? '',
      uncertain: written.uncertain ? '1' : '',
    });
  }
}

function parseWrittenHash(h: Record<string, string>): WrittenState | null {
  if (Object.keys(h).length === 0) return null;
  return {
    label: h.label || null,
    badge: h.badge || null,
    comment: h.comment || null,
    commentId: h.commentId || null,
    ...(h.uncertain === '1' ? { uncertain: true } : {}),
  };
}

function parseTicketHash(ticketId: string, h: Record<string, string>): TicketRecord | null {
  if (!h.state) return null;
  const state = JSON.parse(h.state) as StoredTicketState;
  return {
    ticketId,
    key: h.key || state.request?.key || null,
    state: { deleted: state.deleted, updatedAt: state.updatedAt ?? EPOCH, request: state.request, ...(state.revivable ? { revivable: true } : {}) },
    version: Number(h.ver ?? 0),
    excluded: (h.excluded || null) as ExcludedReason | null,
  };
}
