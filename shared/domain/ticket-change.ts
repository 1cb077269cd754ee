/**
 * The ordering rule for ticket events. Webhooks arrive late, twice and out of order; folding any
 * delivery order of the same versions through `decideTicketChange` ends in the same state.
 */
import { EPOCH, parseInstant } from './instant.js';
import { samePoolRequest, type PoolRequest } from './pool-request.js';

/** What the ledger remembers about one ticket. */
export interface StoredTicketState {
  /** Deleted in the tracker: final, unless `revivable`. */
  deleted: boolean;
  /** ISO-8601 instant of the version stored (of a revivable deletion: when it was deleted). */
  updatedAt: string;
  /** Its pool request, or null when it is not (or no longer) a custom request. */
  request: PoolRequest | null;
  /**
   * A deletion that came with its instant (Linear's trash and archive can be undone): a version
   * strictly newer than `updatedAt` brings the ticket back.
   */
  revivable?: true;
}

/** One observed change: a version of the ticket, or its deletion. */
export type TicketChange =
  | { kind: 'upsert'; updatedAt: string; request: PoolRequest | null }
  | {
      kind: 'delete';
      /**
       * The ticket's `updatedAt` as the tracker reported it with the deletion, when it did. With it
       * the deletion is ordered like a version and can be undone by a newer one; without it, final.
       */
      at?: string;
    };

export type ChangeDecision =
  | { apply: true; next: StoredTicketState }
  | { apply: false; reason: 'stale' | 'deleted' | 'unchanged' };

/**
 * Decides whether a change moves the stored state forward.
 * - A delete without `at` applies unless the ticket is already deleted; it keeps the last known
 *   `updatedAt` and is final: nothing applies to that ticket any more (`deleted`).
 * - A delete with `at` older than the stored version is `stale` (the ticket was seen after it, so
 *   the deletion was undone); otherwise it applies as a revivable deletion at `at` (a later `at`
 *   moves a revivable deletion forward).
 * - A revivable deletion takes an upsert strictly newer than it (the ticket is back); older or
 *   equal ones are `deleted`.
 * - An upsert strictly older than the stored version is `stale` (instants, not strings, compared).
 * - An upsert equal in instant and request to the stored one is `unchanged`.
 * - Anything else applies (including the same instant with a different request).
 * Throws when an `updatedAt` is not an ISO-8601 instant with an offset.
 */
export function decideTicketChange(stored: StoredTicketState | null, change: TicketChange): ChangeDecision {
  if (stored?.deleted && !stored.revivable) return { apply: false, reason: 'deleted' };
  if (change.kind === 'delete') return decideDelete(stored, change.at);
  const incoming = parseInstant(change.updatedAt, 'updatedAt');
  const next: StoredTicketState = { deleted: false, updatedAt: change.updatedAt, request: change.request };
  if (stored === null) return { apply: true, next };
  const current = parseInstant(stored.updatedAt, 'stored updatedAt');
  if (stored.deleted) return incoming > current ? { apply: true, next } : { apply: false, reason: 'deleted' };
  if (incoming < current) return { apply: false, reason: 'stale' };
  if (incoming === current && sameRequest(stored.request, change.request)) return { apply: false, reason: 'unchanged' };
  return { apply: true, next };
}

function decideDelete(stored: StoredTicketState | null, at: string | undefined): ChangeDecision {
  if (at === undefined) {
    if (stored?.deleted) return { apply: false, reason: 'deleted' };
    return { apply: true, next: { deleted: true, updatedAt: stored?.updatedAt ?? EPOCH, request: null } };
  }
  const deletedAt = parseInstant(at, 'deletion instant');
  const current = stored ? parseInstant(stored.updatedAt, 'stored updatedAt') : Number.NEGATIVE_INFINITY;
  if (deletedAt < current) return { apply: false, reason: stored?.deleted ? 'deleted' : 'stale' };
  if (stored?.deleted && deletedAt === current) return { apply: false, reason: 'deleted' };
  return { apply: true, next: { deleted: true, updatedAt: at, request: null, revivable: true } };
}

function sameRequest(a: PoolRequest | null, b: PoolRequest | null): boolean {
  return a === null || b === null ? a === b : samePoolRequest(a, b);
}
