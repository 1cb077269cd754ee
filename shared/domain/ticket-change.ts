/**
 * The ordering rule for ticket events. Webhooks arrive late, twice and out of order; folding any
 * delivery order of the same versions through `decideTicketChange` ends in the same state.
 */
import { EPOCH, parseInstant } from './instant.js';
import { samePoolRequest, type PoolRequest } from './pool-request.js';

/** What the ledger remembers about one ticket. */
export interface StoredTicketState {
  /** Deleted in the tracker: final, the ticket never comes back. */
  deleted: boolean;
  /** ISO-8601 instant of the version stored. */
  updatedAt: string;
  /** Its pool request, or null when it is not (or no longer) a custom request. */
  request: PoolRequest | null;
}

/** One observed change: a version of the ticket, or its deletion. */
export type TicketChange =
  | { kind: 'upsert'; updatedAt: string; request: PoolRequest | null }
  | { kind: 'delete' };

export type ChangeDecision =
  | { apply: true; next: StoredTicketState }
  | { apply: false; reason: 'stale' | 'deleted' | 'unchanged' };

/**
 * Decides whether a change moves the stored state forward.
 * - A delete applies unless the ticket is already deleted; it keeps the last known `updatedAt`.
 * - Nothing applies to a deleted ticket (`deleted`).
 * - An upsert strictly older than the stored version is `stale` (instants, not strings, compared).
 * - An upsert equal in instant and request to the stored one is `unchanged`.
 * - Anything else applies (including the same instant with a different request).
 * Throws when an `updatedAt` is not an ISO-8601 instant with an offset.
 */
export function decideTicketChange(stored: StoredTicketState | null, change: TicketChange): ChangeDecision {
  if (stored?.deleted) return { apply: false, reason: 'deleted' };
  if (change.kind === 'delete') {
    return { apply: true, next: { deleted: true, updatedAt: stored?.updatedAt ?? EPOCH, request: null } };
  }
  const incoming = parseInstant(change.updatedAt, 'updatedAt');
  const next: StoredTicketState = { deleted: false, updatedAt: change.updatedAt, request: change.request };
  if (stored === null) return { apply: true, next };
  const current = parseInstant(stored.updatedAt, 'stored updatedAt');
  if (incoming < current) return { apply: false, reason: 'stale' };
  if (incoming === current && sameRequest(stored.request, change.request)) return { apply: false, reason: 'unchanged' };
  return { apply: true, next };
}

function sameRequest(a: PoolRequest | null, b: PoolRequest | null): boolean {
  return a === null || b === null ? a === b : samePoolRequest(a, b);
}
