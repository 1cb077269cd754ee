/**
 * Which tickets are custom requests, i.e. count against a pool.
 */
import type { Ticket } from './ticket.js';

/** The tenant's rules for recognising custom work. */
export interface CustomRequestRules {
  /** Labels that make a ticket a custom request (any of them, exact match). */
  labels: readonly string[];
  /** Issue types that make a ticket a custom request, whatever its labels. */
  issueTypes: readonly string[];
  /** Count tickets the tracker links to a customer request (Linear `CustomerNeed`). */
  includeLinkedCustomerRequests: boolean;
}

/**
 * True when any label matches one of `rules.labels` exactly (case-sensitive, as trackers store
 * them), or the issue type is one of `rules.issueTypes`, or the ticket is linked to a customer
 * request and the tenant counts those.
 */
export function isCustomRequest(ticket: Ticket, rules: CustomRequestRules): boolean {
  if (ticket.labels.some((label) => rules.labels.includes(label))) return true;
  if (ticket.issueType !== null && rules.issueTypes.includes(ticket.issueType)) return true;
  return ticket.linkedToCustomerRequest && rules.includeLinkedCustomerRequests;
}
