/**
 * Reconcile sweeps' coordination state: the per-tenant lease that keeps one sweep of a tenant
 * running at a time (scheduled jobs on any worker and the backfill command alike), and the report
 * of the last sweep that the admin API shows.
 */
import { randomUUID } from 'node:crypto';
import type { KeySpace } from './keys.js';
import type { RedisClient } from './ledger-store.js';

/** What one sweep did. A public contract (admin API): keep fields, add only. */
export interface SweepReport {
  tenant: string;
  /** What started it: the job scheduler, the backfill command, or an admin. */
  trigger: 'schedule' | 'backfill' | 'admin';
  /** The quarters it checked, first and last (ids like 2026-Q4). */
  quarters: { from: string; to: string };
  status: 'running' | 'completed' | 'interrupted' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** Custom requests the tracker listed (every page), and those in the swept quarters. */
  ticketsSeen: number;
  ticketsInRange: number;
  /** Requests in the ledger that the listing did not return, re-read one by one. */
  ticketsRefetched: number;
  /** Ledger changes: requests added, updated (size, rank, state, quarter...), removed. */
  ledger: { added: number; updated: number; deleted: number; excluded: number; movedOut: number };
  /** Pools whose admission was recomputed. */
  poolsRecomputed: number;
  /** Tickets given a write-back (their label, comment or badge differed from what they should show). */
  writeBacksQueued: number;
  /** Tickets whose marks a person changed, by part: each was written again. */
  drift: { labels: number; badges: number; comments: number };
  /** Tickets that could not be checked (bad data, tracker errors); the first few are listed. */
  errorCount: number;
  errors: Array<{ ticket: string | null; message: string }>;
}

export interface SweepLease {
  /** Extends the lease; false when it was lost (expired and taken by another sweep). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export interface SweepHolder {
  owner: string;
  since: string;
}

const RENEW = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
if cjson.decode(v).token ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

const RELEASE = `
local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).token == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`;

export class SweepStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: KeySpace,
  ) {}

  /**
   * Takes the tenant's sweep lease for `ttlMs` (renew it well within that), or null when another
   * sweep holds it. A holder that dies loses the lease when it expires.
   */
  async acquire(tenant: string, owner: string, ttlMs: number, now = new Date()): Promise<SweepLease | null> {
    const key = this.keys.tenant(tenant).sweepLock();
    const token = randomUUID();
    const value = JSON.stringify({ token, owner, since: now.toISOString() });
    // Not taken: held by another sweep, or by this one when the client sent SET NX again after a
    // broken connection lost its answer (the lease then holds this call's token: it is ours).
    if ((await this.redis.set(key, value, 'PX', ttlMs, 'NX')) !== 'OK' && (await this.redis.get(key)) !== value) return null;
    return {
      renew: async () => (await this.redis.eval(RENEW, 1, key, token, String(ttlMs))) === 1,
      release: async () => {
        await this.redis.eval(RELEASE, 1, key, token);
      },
    };
  }

  /** Who holds the tenant's sweep lease now, or null. */
  async holder(tenant: string): Promise<SweepHolder | null> {
    const value = await this.redis.get(this.keys.tenant(tenant).sweepLock());
    if (!value) return null;
    const { owner, since } = JSON.parse(value) as SweepHolder;
    return { owner, since };
  }

  async saveRunning(tenant: string, report: SweepReport): Promise<void> {
    await this.redis.hset(this.keys.tenant(tenant).lastSweep(), 'running', JSON.stringify(report));
  }

  /** Stores a finished sweep's report as the last one. */
  async saveFinished(tenant: string, report: SweepReport): Promise<void> {
    const key = this.keys.tenant(tenant).lastSweep();
    await this.redis.multi().hset(key, 'last', JSON.stringify(report)).hdel(key, 'running').exec();
  }

  /** The last finished sweep, and the one running now (only while its lease is held). */
  async read(tenant: string): Promise<{ last: SweepReport | null; running: SweepReport | null }> {
    const k = this.keys.tenant(tenant);
    const [h, lock] = await Promise.all([this.redis.hgetall(k.lastSweep()), this.redis.exists(k.sweepLock())]);
    return {
      last: h.last ? (JSON.parse(h.last) as SweepReport) : null,
      running: h.running && lock === 1 ? (JSON.parse(h.running) as SweepReport) : null,
    };
  }
}
