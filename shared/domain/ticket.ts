/**
 * A tracker ticket as the domain sees it: no Jira field names, no Linear types.
 * Plugins turn vendor issues into this shape (see shared/tracker).
 */

/** Where a ticket's work stands, in tracker-neutral words. */
export type WorkProgress =
  /** Not started yet (Jira status category `new`; Linear `triage`, `backlog`, `unstarted`): waits for room. */
  | 'not-started'
  /** In progress (Jira `indeterminate`; Linear `started`): committed, charged first. */
  | 'in-progress'
  /** Done (Jira `done`; Linear `completed`): committed, charged first. */
  | 'done'
  /** Canceled (Linear `canceled`): releases its days. */
  | 'canceled';

/** The raw size of a ticket as the tracker holds it, before the tenant's sizing rules apply. */
export interface TicketEstimate {
  /** Original estimate in seconds (Jira `timeoriginalestimate`), or null. */
  seconds: number | null;
  /** Points (Jira story points, Linear `estimate`), or null. */
  points: number | null;
}

/** A manual-order key: strings compare by code unit, numbers numerically (one kind per scope). */
export type RankKey = string | number;

export interface Ticket {
  /** Human key, unique per tenant: `CR-42`, `ENG-342`. */
  key: string;
  /** The tracker's immutable id (Jira issue id, Linear issue UUID). */
  id: string;
  /** The pool scope: Jira project key, Linear team key. */
  scope: string;
  title: string;
  labels: string[];
  /** Jira issue type name; null where the tracker has none. */
  issueType: string | null;
  /** True when the tracker links the ticket to a customer request (Linear `CustomerNeed`). */
  linkedToCustomerRequest: boolean;
  estimate: TicketEstimate;
  /** Due date as `YYYY-MM-DD`, or null. */
  dueDate: string | null;
  /** ISO-8601 instants. */
  createdAt: string;
  updatedAt: string;
  /**
   * The tracker's manual order key, smaller first: Jira Rank (a LexoRank string, compared by code
   * unit as a board does) or Linear `sortOrder` (a number). Null when the ticket has none.
   */
  rank: RankKey | null;
  progress: WorkProgress;
}
