/**
 * A page of custom-request issues for sweeps and backfills: `issues(filter, first, after)` with the
 * team keys, the custom-request label names (any of; or a linked customer request when the tenant
 * counts those) and `updatedAt >= updatedSince`, oldest update first. Linear caps one query at
 * 10,000 complexity points and multiplies nested connections, so a page asks for at most 100 issues
 * with 50 labels each; the rare issue with more labels is re-read on its own.
 */
import type { Ticket } from '@pool-guard/shared/domain';
import type { ListTicketsQuery, TicketPage } from '@pool-guard/shared/tracker';
import { fetchTicket, ISSUE_TICKET_FRAGMENT, toTicket, type LinearTicketNode } from './fetch-ticket.js';
import type { LinearGql } from './linear-client.js';

const LIST_TICKETS = /* GraphQL */ `
  query PoolGuardListTickets($filter: IssueFilter, $first: Int!, $after: String, $withNeeds: Boolean!, $labelPageSize: Int!) {
    issues(filter: $filter, first: $first, after: $after, orderBy: updatedAt) {
      nodes { ...PoolGuardTicket }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${ISSUE_TICKET_FRAGMENT}
`;

export const MAX_LIST_PAGE_SIZE = 100;
const LIST_LABEL_PAGE_SIZE = 50;

export interface ListTicketsOptions {
  /** Also list issues linked to a customer request (tenant `includeLinkedCustomerRequests`). */
  withNeeds: boolean;
}

/** The Linear `IssueFilter` for a query. */
export function issueFilterOf(query: ListTicketsQuery, options: ListTicketsOptions): Record<string, unknown> {
  const filter: Record<string, unknown>[] = [];
  if (query.scopes.length > 0) filter.push({ team: { key: { in: query.scopes } } });
  const byLabel = query.labels.length > 0 ? { labels: { some: { name: { in: query.labels } } } } : null;
  if (options.withNeeds && byLabel) filter.push({ or: [byLabel, { needs: { length: { gt: 0 } } }] });
  else if (byLabel) filter.push(byLabel);
  if (query.updatedSince) filter.push({ updatedAt: { gte: query.updatedSince } });
  return filter.length === 1 ? filter[0]! : { and: filter };
}

export async function listTickets(gql: LinearGql, query: ListTicketsQuery, options: ListTicketsOptions): Promise<TicketPage> {
  const first = Math.max(1, Math.min(MAX_LIST_PAGE_SIZE, Math.floor(query.pageSize) || MAX_LIST_PAGE_SIZE));
  const data = await gql.request<{
    issues: { nodes: LinearTicketNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  }>(LIST_TICKETS, {
    filter: issueFilterOf(query, options),
    first,
    after: query.cursor,
    withNeeds: options.withNeeds,
    labelPageSize: LIST_LABEL_PAGE_SIZE,
  });
  const tickets: Ticket[] = [];
  for (const node of data.issues.nodes) {
    if (node.labels.pageInfo.hasNextPage) {
      const full = await fetchTicket(gql, node.id, options);
      if (full) tickets.push(full);
      continue;
    }
    const ticket = toTicket(node);
    if (ticket) tickets.push(ticket);
  }
  const { hasNextPage, endCursor } = data.issues.pageInfo;
  return { tickets, nextCursor: hasNextPage && endCursor ? endCursor : null };
}
