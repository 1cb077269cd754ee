/**
 * What one ticket shows (badge, labels, comment), computed from its pool's admission outcome.
 */
import type { AdmissionEntry, PoolOutcome, Standing } from './admission.js';
import type { PoolRequest } from './pool-request.js';
import type { Badge, RequestState } from './pool-state.js';
import { formatDays, formatNumber } from './format-days.js';
import type { QuarterId } from './quarter.js';

/** A later quarter with room for a request, as found by the caller. */
export interface QuarterWithRoom {
  quarter: QuarterId;
  freeDays: number;
}

export interface TicketPoolView {
  key: string;
  scope: string;
  quarter: QuarterId;
  state: RequestState;
  standing: Standing;
  days: number | null;
  /** 1-based position in the pool's admission order. */
  rank: number;
  /** Number of requests in the pool, this one included. */
  poolSize: number;
  usedDays: number;
  limitDays: number | null;
  warnAtPercent: number;
  freeDays: number | null;
  /** Committed work alone exceeds the limit. */
  overdrawn: boolean;
  /**
   * For a waiting request: days it must shrink to so it fits now at its rank (free days before
   * it; 0 when a bigger request above it is already waiting, since nothing skips ahead); else null.
   */
  fitsIfAtMostDays: number | null;
  /** Key of the lowest-ranked admitted not-committed request above it (what it would have to outrank), or null. */
  lastAdmittedAboveKey: string | null;
  /** The nearest later quarter (of the same scope) whose pool has room for it, with its free days; set by the caller. */
  nextQuarterWithRoom: QuarterWithRoom | null;
}

/**
 * The view of `request` in its pool's `outcome`. Throws when the request is not in the outcome
 * (the caller admitted a different pool).
 */
export function viewTicketInPool(
  outcome: PoolOutcome,
  request: PoolRequest,
  nextQuarterWithRoom: QuarterWithRoom | null = null,
): TicketPoolView {
  const entry = outcome.entries.find((e) => e.key === request.key);
  if (!entry) throw new Error(`Request ${request.key} is not in the pool outcome for ${request.scope}/${request.quarter}`);
  const above = outcome.entries.slice(0, entry.rank - 1);
  return {
    key: request.key,
    scope: request.scope,
    quarter: request.quarter,
    state: entry.state,
    standing: entry.standing,
    days: entry.days,
    rank: entry.rank,
    poolSize: outcome.entries.length,
    usedDays: outcome.usedDays,
    limitDays: outcome.limitDays,
    warnAtPercent: outcome.warnAtPercent,
    freeDays: outcome.freeDays,
    overdrawn: outcome.overdrawn,
    fitsIfAtMostDays: entry.standing === 'waiting' ? roomAt(outcome, above) : null,
    lastAdmittedAboveKey: above.findLast((e) => e.standing === 'admitted')?.key ?? null,
    nextQuarterWithRoom,
  };
}

/**
 * Free days left for a waiting request at its rank. Every admitted request ranks above the first
 * waiting one, so that is the pool's free days; behind another waiting request there is no room.
 */
function roomAt(outcome: PoolOutcome, above: readonly AdmissionEntry[]): number {
  return above.some((e) => e.standing === 'waiting') ? 0 : (outcome.freeDays ?? 0);
}

/** The badge data (Jira issue property, Linear attachment) of a view. */
export function badgeOf(view: TicketPoolView): Badge {
  return {
    quarter: view.quarter,
    scope: view.scope,
    state: view.state,
    usedDays: view.usedDays,
    limitDays: view.limitDays,
    days: view.days,
    rank: view.rank,
  };
}

/**
 * One line for a badge: `2026-Q4 · 8 of 10 days · near limit · rank 3`,
 * `2026-Q4 · needs an estimate · rank 2`, `2026-Q4 · no pool set · 5 days`.
 */
export function badgeSubtitle(view: TicketPoolView | Badge): string {
  const { quarter, state, usedDays, limitDays, days, rank } = view;
  switch (state) {
    case 'needs-estimate':
      return join(quarter, 'needs an estimate', `rank ${rank}`);
    case 'no-limit':
      return join(quarter, 'no pool set', days === null ? null : formatDays(days));
    case 'ok':
    case 'near-limit':
    case 'over-limit': {
      const usage = limitDays === null ? null : `${formatNumber(usedDays)} of ${formatDays(limitDays)}`;
      const words = state !== 'over-limit' && isOverdrawn(view) ? 'overdrawn' : STATE_WORDS[state];
      return join(quarter, usage, words, `rank ${rank}`);
    }
    default: {
      const _exhaustive: never = state;
      throw new Error(`Unknown request state ${String(_exhaustive)}`);
    }
  }
}

const STATE_WORDS = { ok: 'within limit', 'near-limit': 'near limit', 'over-limit': 'over limit' } as const;

/** A Badge has no `overdrawn`; there used > limit says the same (admission never exceeds it otherwise). */
function isOverdrawn(view: TicketPoolView | Badge): boolean {
  if ('overdrawn' in view) return view.overdrawn;
  return view.limitDays !== null && view.usedDays > view.limitDays;
}

function join(...parts: (string | null)[]): string {
  return parts.filter((p): p is string => p !== null).join(' · ');
}
