/**
 * The pool ledger on Redis: per-ticket state, per-pool requests, settings and admission outcomes.
 * Writes are compare-and-set on versions (Lua), so two workers racing on one ticket or one pool
 * never both win: the loser re-reads and decides again with the pure domain rules.
 */
import type { Redis, Cluster } from 'ioredis';
import {
  decideTicketChange,
  poolIdOf,
  type PoolOutcome,
  type PoolRequest,
  type PoolSettings,
  type StoredTicketState,
  type TicketChange,
} from '../domain/index.js';
import { createKeySpace, type KeySpace } from './keys.js';
import { CAS_TICKET, COMMIT_OUTCOME } from './scripts.js';

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
  /** How many compare-and-set rounds before giving up (the job is then retried). */
  maxCasAttempts?: number;
}

const EPOCH = '1970-01-01T00:00:00.000Z';

export function splitPoolId(poolId: string): { scope: string; quarter: string } {
  const slash = poolId.lastIndexOf('/');
  return { scope: poolId.slice(0, slash), quarter: poolId.slice(slash + 1) };
}

export class CasConflictError extends Error {
  override readonly name = 'CasConflictError';
}

type ScriptRedis = RedisClient & {
  poolGuardCasTicket(...args: (string | number)[]): Promise<number>;
  poolGuardCommitOutcome(...args: (string | number)[]): Promise<number>;
};

export class LedgerStore {
  readonly keys: KeySpace;
  private readonly redis: ScriptRedis;
  private readonly tombstoneTtl: number;
  private readonly maxCas: number;

  constructor(options: LedgerStoreOptions) {
    this.keys = options.keys ?? createKeySpace();
    this.tombstoneTtl = options.tombstoneTtlSeconds ?? 90 * 24 * 3600;
    this.maxCas = options.maxCasAttempts ?? 20;
    const redis = options.redis as ScriptRedis;
    if (typeof redis.poolGuardCasTicket !== 'function') {
      redis.defineCommand('poolGuardCasTicket', { numberOfKeys: 6, lua: CAS_TICKET });
      redis.defineCommand('poolGuardCommitOutcome', { numberOfKeys: 3, lua: COMMIT_OUTCOME });
    }
    this.redis = redis;
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
  ): Promise<ApplyTicketResult> {
    const k = this.keys.tenant(tenant);
    for (let attempt = 0; attempt < this.maxCas; attempt++) {
      const record = await this.getTicket(tenant, ticketId);
      // A ticket never counted that does not count now (most tickets of a tracker) leaves no trace.
      // A deletion does, even of a ticket never seen: its tombstone (which expires) keeps a read
      // taken before the deletion, stored late by a slower worker, from counting the ticket again.
      if (!record && change.kind === 'upsert' && change.request === null) {
        return { applied: false, reason: 'unchanged' };
      }
      const decision = decideTicketChange(record?.state ?? null, change);
      if (!decision.apply) {
        return { applied: false, reason: decision.reason };
      }
      const previous = record?.state.request ?? null;
      const next = decision.next.request;
      const oldPool = previous ? poolIdOf(previous) : '';
      const newPool = next ? poolIdOf(next) : '';
      const ttl = decision.next.deleted ? this.tombstoneTtl : 0;
      const result = await this.redis.poolGuardCasTicket(
        k.ticket(ticketId),
        k.poolRequests(oldPool || newPool || '-'),
        k.poolRequests(newPool || oldPool || '-'),
        k.poolVersions(),
        k.pools(),
        k.dirtyPools(),
        String(record?.version ?? 0),
        JSON.stringify(decision.next),
        ticketId,
        oldPool,
        newPool,
        next ? JSON.stringify(next) : '',
        meta.key ?? record?.key ?? '',
        meta.excluded ?? '',
        ttl,
      );
      if (result >= 0) {
        const affectedPools = [...new Set([oldPool, newPool].filter((p) => p !== ''))];
        return { applied: true, previous, next, affectedPools, deleted: decision.next.deleted };
      }
    }
    throw new CasConflictError(`ticket ${ticketId} of ${tenant} kept changing under ${this.maxCas} attempts`);
  }

  async readPool(tenant: string, poolId: string): Promise<PoolSnapshot> {
    const k = this.keys.tenant(tenant);
    const res = await this.redis
      .multi()
      .hgetall(k.poolRequests(poolId))
      .hget(k.poolSettings(), poolId)
      .hget(k.poolVersions(), poolId)
      .get(k.poolOutcome(poolId))
      .exec();
    if (!res) throw new Error('pool read transaction was aborted');
    const [reqs, settings, version, outcome] = res.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
    const requests = Object.values((reqs ?? {}) as Record<string, string>).map((json) => JSON.parse(json) as PoolRequest);
    return {
      poolId,
      ...splitPoolId(poolId),
      settings: settings ? (JSON.parse(settings as string) as StoredPoolSettings) : null,
      requests,
      version: version ? Number(version) : 0,
      outcome: outcome ? (JSON.parse(outcome as string) as StoredOutcome) : null,
    };
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
    const ok = await this.redis.poolGuardCommitOutcome(
      k.poolVersions(),
      k.poolOutcome(poolId),
      k.dirtyPools(),
      poolId,
      String(version),
      JSON.stringify(stored),
    );
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
    const h = await this.redis.hgetall(this.keys.tenant(tenant).written(ticketId));
    if (Object.keys(h).length === 0) return null;
    return {
      label: h.label || null,
      badge: h.badge || null,
      comment: h.comment || null,
      commentId: h.commentId || null,
      ...(h.uncertain === '1' ? { uncertain: true } : {}),
    };
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
