/**
 * The record the ledger keeps per custom request: everything admission needs, nothing vendor-specific.
 */
import { isCustomRequest, type CustomRequestRules } from './custom-request.js';
import { quarterOf, type QuarterId } from './quarter.js';
import { sizeInDays, type SizingRules } from './sizing.js';
import type { RankKey, Ticket } from './ticket.js';

export interface PoolRequest {
  /** Human key, unique per tenant: `CR-42`. */
  key: string;
  /** The tracker's immutable id. */
  id: string;
  title: string;
  /** Pool scope: Jira project key, Linear team key. */
  scope: string;
  /** The quarter its due date (or, without one, its creation) falls in. */
  quarter: QuarterId;
  /** Size in days (3 decimals); null = needs an estimate. */
  days: number | null;
  /** In progress or done: charged before anything that has not started. */
  committed: boolean;
  /** The tracker's manual order, smaller first; null when it has none. */
  rank: RankKey | null;
  /** ISO-8601 instants. */
  createdAt: string;
  updatedAt: string;
}

/** Everything needed to turn a ticket into a pool request (built from the tenant config). */
export interface PoolRules extends SizingRules, CustomRequestRules {
  /** First month of the fiscal year (1 = calendar quarters). */
  fiscalYearStartMonth: number;
  /** Per-scope override of `daysPerPoint`. */
  daysPerPointByScope: Readonly<Record<string, number>>;
}

/**
 * The pool request a ticket makes, or null when it is not a custom request or was canceled
 * (either way it takes no days). Throws if the ticket's dates are malformed.
 */
export function toPoolRequest(ticket: Ticket, rules: PoolRules): PoolRequest | null {
  if (ticket.progress === 'canceled' || !isCustomRequest(ticket, rules)) return null;
  return {
    key: ticket.key,
    id: ticket.id,
    title: ticket.title,
    scope: ticket.scope,
    quarter: quarterOf(ticket.dueDate ?? ticket.createdAt, rules.fiscalYearStartMonth),
    days: sizeInDays(ticket.estimate, { hoursPerDay: rules.hoursPerDay, daysPerPoint: daysPerPointFor(ticket.scope, rules) }),
    committed: ticket.progress === 'in-progress' || ticket.progress === 'done',
    rank: ticket.rank,
    createdAt: ticket.createdAt,
    updatedAt: ticket.updatedAt,
  };
}

/** The scope's own points scale, else the tenant's. Own keys only: a scope named `constructor` is a scope. */
function daysPerPointFor(scope: string, rules: PoolRules): number {
  return Object.hasOwn(rules.daysPerPointByScope, scope) ? (rules.daysPerPointByScope[scope] ?? rules.daysPerPoint) : rules.daysPerPoint;
}

/** The id of the pool a request belongs to: `${scope}/${quarter}` (e.g. `ENG/2026-Q4`). */
export function poolIdOf(req: { scope: string; quarter: string }): string {
  return `${req.scope}/${req.quarter}`;
}

/** Every field of PoolRequest; the mapped type makes the compiler flag a field added later. */
const POOL_REQUEST_FIELDS: { readonly [K in keyof PoolRequest]-?: true } = {
  key: true,
  id: true,
  title: true,
  scope: true,
  quarter: true,
  days: true,
  committed: true,
  rank: true,
  createdAt: true,
  updatedAt: true,
};
const FIELD_NAMES = Object.keys(POOL_REQUEST_FIELDS) as (keyof PoolRequest)[];

/** True when every field of the two requests is equal (`1` and `'1'` ranks differ). */
export function samePoolRequest(a: PoolRequest, b: PoolRequest): boolean {
  return FIELD_NAMES.every((field) => a[field] === b[field]);
}
