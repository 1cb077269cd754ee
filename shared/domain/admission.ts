/**
 * Admission: which requests of one pool (one scope, one quarter) fit under its limit.
 *
 * Committed work (in progress or done) is charged first, whatever its rank. The rest is admitted
 * strictly in rank order until one request does not fit; it and every later sized request wait, so
 * a small request never jumps ahead of a big one the business ranked higher. Requests without an
 * estimate are shown as needing one and neither take room nor block.
 */
import { duplicateKey } from './duplicate-key.js';
import { parseInstant } from './instant.js';
import type { PoolRequest } from './pool-request.js';
import type { RequestState } from './pool-state.js';
import { fromThousandths, toThousandths } from './sizing.js';
import type { RankKey } from './ticket.js';

/** A pool's limit (null = none set) and the usage percentage from which it is "near limit". */
export interface PoolSettings {
  limitDays: number | null;
  warnAtPercent: number;
}

/**
 * Where a request stands in its pool: charged because it is under way (`committed`), fits
 * (`admitted`), does not fit (`waiting`), or cannot be counted without an estimate (`unsized`).
 */
export type Standing = 'committed' | 'admitted' | 'waiting' | 'unsized';

export interface AdmissionEntry {
  key: string;
  days: number | null;
  /** 1-based position in admission order, over all requests of the pool. */
  rank: number;
  standing: Standing;
  state: RequestState;
}

export interface PoolOutcome {
  limitDays: number | null;
  warnAtPercent: number;
  /** Committed + admitted days. */
  usedDays: number;
  committedDays: number;
  /** Committed work alone exceeds the limit. */
  overdrawn: boolean;
  /** usedDays ≥ warnAtPercent% of limitDays (false when there is no limit). */
  nearLimit: boolean;
  /** max(0, limit − used); null when there is no limit. */
  freeDays: number | null;
  /** In admission order, rank 1 first. */
  entries: AdmissionEntry[];
}

/**
 * The admission order, a total order: committed before not committed; then rank (null last;
 * strings by UTF-16 code unit like a Jira board, numbers numerically, numbers before strings if a
 * pool ever mixes them); then creation instant; then key; then id.
 */
export function compareAdmissionOrder(a: PoolRequest, b: PoolRequest): number {
  return (
    Number(b.committed) - Number(a.committed) ||
    compareRanks(a.rank, b.rank) ||
    Math.sign(parseInstant(a.createdAt, 'createdAt') - parseInstant(b.createdAt, 'createdAt')) ||
    compareCodeUnits(a.key, b.key) ||
    compareCodeUnits(a.id, b.id)
  );
}

function compareRanks(a: RankKey | null, b: RankKey | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  if (typeof a === 'string' && typeof b === 'string') return compareCodeUnits(a, b);
  return typeof a === 'number' ? -1 : 1;
}

/** Code-unit order (`'B' < 'a'`), never locale order. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Admits a pool's requests against its limit. Pure and independent of the input order. Throws on
 * a negative or non-finite limit or size, or on two requests with the same key (a ledger bug).
 *
 * `previous` (an earlier outcome of the same pool, usually the last one committed) changes nothing
 * in the result's values: an entry equal to previous's entry at the same place is that very object
 * (entries are never mutated), so an event that moves a few entries of a big pool allocates a few
 * entries, not a thousand, and what a process keeps of its pools is not copied again each time.
 */
export function admitRequests(settings: PoolSettings, requests: readonly PoolRequest[], previous?: PoolOutcome | null): PoolOutcome {
  return admitInOrder(settings, requests, previous).outcome;
}

/** {@link admitRequests}, with the requests in admission order: `entries[i]` is `ordered[i]`'s. */
export function admitInOrder(
  settings: PoolSettings,
  requests: readonly PoolRequest[],
  previous?: PoolOutcome | null,
): { outcome: PoolOutcome; ordered: readonly PoolRequest[] } {
  assertSettings(settings);
  const ordered = [...requests].sort(compareAdmissionOrder);
  assertValidRequests(ordered);
  const limit = settings.limitDays === null ? null : toThousandths(settings.limitDays);

  let committed = 0;
  for (const r of ordered) if (r.committed) committed += thousandthsOf(r);
  let remaining = limit === null ? Infinity : limit - committed;
  let admitted = 0;
  let blocked = false;
  const standings = new Array<Standing>(ordered.length);
  for (let i = 0; i < ordered.length; i++) {
    const r = ordered[i]!;
    let standing: Standing;
    if (r.days === null) standing = 'unsized';
    else if (r.committed) standing = 'committed';
    else {
      const days = thousandthsOf(r);
      if (!blocked && days <= remaining) {
        remaining -= days;
        admitted += days;
        standing = 'admitted';
      } else {
        blocked = true;
        standing = 'waiting';
      }
    }
    standings[i] = standing;
  }

  const used = committed + admitted;
  const overdrawn = limit !== null && committed > limit;
  const nearLimit = limit !== null && used * 100 >= settings.warnAtPercent * limit;
  const prior = previous?.entries;
  const entries = new Array<AdmissionEntry>(ordered.length);
  for (let i = 0; i < ordered.length; i++) {
    const { key, days } = ordered[i]!;
    const standing = standings[i]!;
    const state = stateOf(standing, limit !== null, nearLimit || overdrawn);
    const same = prior?.[i];
    // Field order is the stored JSON's (see encodeOutcome in the ledger store).
    entries[i] =
      same !== undefined && same.key === key && same.days === days && same.rank === i + 1 && same.standing === standing && same.state === state
        ? same
        : { key, days, rank: i + 1, standing, state };
  }
  return {
    outcome: {
      limitDays: settings.limitDays,
      warnAtPercent: settings.warnAtPercent,
      usedDays: fromThousandths(used),
      committedDays: fromThousandths(committed),
      overdrawn,
      nearLimit,
      freeDays: limit === null ? null : fromThousandths(Math.max(0, limit - used)),
      entries,
    },
    ordered,
  };
}

function stateOf(standing: Standing, hasLimit: boolean, nearLimit: boolean): RequestState {
  if (standing === 'unsized') return 'needs-estimate';
  if (!hasLimit) return 'no-limit';
  if (standing === 'waiting') return 'over-limit';
  return nearLimit ? 'near-limit' : 'ok';
}

function thousandthsOf(r: PoolRequest): number {
  return r.days === null ? 0 : toThousandths(r.days);
}

function assertSettings({ limitDays, warnAtPercent }: PoolSettings): void {
  if (limitDays !== null && !(Number.isFinite(limitDays) && limitDays >= 0)) {
    throw new RangeError(`Pool limitDays must be null or a finite number ≥ 0, got ${limitDays}`);
  }
  if (!Number.isFinite(warnAtPercent)) throw new RangeError(`Pool warnAtPercent must be a number, got ${warnAtPercent}`);
}

function assertValidRequests(ordered: readonly PoolRequest[]): void {
  for (const r of ordered) {
    if (r.days !== null && !(Number.isFinite(r.days) && r.days >= 0)) {
      throw new RangeError(`Request ${r.key} has invalid days ${r.days}`);
    }
  }
  const twice = duplicateKey(ordered);
  if (twice !== null) throw new Error(`Request key ${twice} appears twice in one pool`);
}
