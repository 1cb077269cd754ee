/**
 * A page of custom-request issues for sweeps and backfills: `issues(filter, first, after)` with the
 * team keys, the custom-request label names (any of; or a linked customer request when the tenant
 * counts those) and `updatedAt >= updatedSince`, oldest update first. Linear caps one query at
 * 10,000 complexity points and multiplies nested connections, so a page asks for at most 100 issues
 * with 50 labels each; the rare issue with more labels is re-read on its own. A sweep (`withMarks`)
 * also reads Pool Guard's own comment ids and its badge attachment on each issue.
 */
import type { Ticket } from '@pool-guard/shared/domain';
import type { ListTicketsQuery, TicketMarks, TicketPage } from '@pool-guard/shared/tracker';
import { fetchTicket, ISSUE_TICKET_FRAGMENT, toTicket, type LinearTicketNode } from './fetch-ticket.js';
import type { LinearGql } from './linear-client.js';
import { badgeUrlOf, DEFAULT_BADGE_URL_BASE } from './write-back.js';

export const MAX_LIST_PAGE_SIZE = 100;
/** Pool Guard keeps one comment per issue; more than this many of its own means "cannot tell". */
const MARK_COMMENT_PAGE_SIZE = 10;

const LIST_TICKETS = /* GraphQL */ `
  query PoolGuardListTickets(
    $filter: IssueFilter
    $first: Int!
    $after: String
    $withNeeds: Boolean!
    $labelPageSize: Int!
    $withMarks: Boolean!
    $badgeUrlPrefix: String!
  ) {
    issues(filter: $filter, first: $first, after: $after, orderBy: updatedAt) {
      nodes {
        ...PoolGuardTicket
        comments(first: ${MARK_COMMENT_PAGE_SIZE}, filter: { user: { isMe: { eq: true } } }) @include(if: $withMarks) {
          nodes { id }
          pageInfo { hasNextPage }
        }
        attachments(first: 5, filter: { url: { startsWith: $badgeUrlPrefix } }) @include(if: $withMarks) {
          nodes { url metadata }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${ISSUE_TICKET_FRAGMENT}
`;


const LIST_LABEL_PAGE_SIZE = 50;

export interface ListTicketsOptions {
  /** Also list issues linked to a customer request (tenant `includeLinkedCustomerRequests`). */
  withNeeds: boolean;
  /** Prefix of Pool Guard's badge attachment URLs (see write-back), to read the badges with `withMarks`. */
  badgeUrlBase?: string;
}

interface MarkedNode extends LinearTicketNode {
  comments?: { nodes: Array<{ id: string }>; pageInfo: { hasNextPage: boolean } };
  attachments?: { nodes: Array<{ url: string; metadata: Record<string, unknown> | null }> };
}

/** The badge (attachment metadata at the issue's badge URL) and Pool Guard's own comment ids. */
function marksOf(node: MarkedNode, badgeUrlBase: string): TicketMarks {
  const url = badgeUrlOf(badgeUrlBase, node.identifier);
  const badge = node.attachments?.nodes.find((a) => a.url === url)?.metadata ?? null;
  const comments = node.comments;
  return {
    badge: badge && typeof badge === 'object' ? badge : null,
    commentIds: comments && !comments.pageInfo.hasNextPage ? comments.nodes.map((c) => c.id) : null,
  };
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
  const withMarks = query.withMarks === true;
  // Marks add two nested connections per issue: half the issues keep the query's complexity as low.
  const cap = withMarks ? MAX_LIST_PAGE_SIZE / 2 : MAX_LIST_PAGE_SIZE;
  const first = Math.max(1, Math.min(cap, Math.floor(query.pageSize) || cap));
  const badgeUrlBase = options.badgeUrlBase ?? DEFAULT_BADGE_URL_BASE;
  const data = await gql.request<{
    issues: { nodes: MarkedNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  }>(LIST_TICKETS, {
    filter: issueFilterOf(query, options),
    first,
    after: query.cursor,
    withNeeds: options.withNeeds,
    labelPageSize: LIST_LABEL_PAGE_SIZE,
    withMarks,
    badgeUrlPrefix: `${badgeUrlBase.replace(/\/+$/, '')}/`,
  });
  const tickets: Ticket[] = [];
  const marks = new Map<string, TicketMarks>();
  for (const node of data.issues.nodes) {
    const ticket = node.labels.pageInfo.hasNextPage ? await fetchTicket(gql, node.id, options) : toTicket(node);
    if (!ticket) continue;
    tickets.push(ticket);
    if (withMarks) marks.set(ticket.id, marksOf(node, badgeUrlBase));
  }
  const { hasNextPage, endCursor } = data.issues.pageInfo;
  const nextCursor = hasNextPage && endCursor ? endCursor : null;
  return withMarks ? { tickets, nextCursor, marks } : { tickets, nextCursor };
}
