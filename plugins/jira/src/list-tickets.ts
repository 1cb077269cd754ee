/**
 * Pages of tickets through the enhanced search, POST /rest/api/3/search/jql: bounded JQL built from
 * scopes, labels and updatedSince, explicit `fields` (the default would be ids only), and Jira's
 * `nextPageToken` as the cursor (absent on the last page).
 */
import type { ListTicketsQuery, TicketPage } from '@pool-guard/shared/tracker';
import type { FieldIds } from './field-ids.js';
import { issueToTicket, ticketFields } from './fetch-ticket.js';
import type { JiraHttp } from './jira-http.js';
import { formatJqlDate } from './jira-date.js';

export const MAX_PAGE_SIZE = 5000;

/** A JQL string literal. */
export function jqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The JQL for a query. Jira rejects unbounded searches, so a query with no scope, label or date gets
 * `created >= "1970-01-01"` as its restriction.
 */
export function buildJql(query: Pick<ListTicketsQuery, 'scopes' | 'labels' | 'updatedSince'>, timeZone: string | null): string {
  const clauses: string[] = [];
  if (query.scopes.length > 0) clauses.push(`project in (${query.scopes.map(jqlString).join(', ')})`);
  if (query.labels.length > 0) clauses.push(`labels in (${query.labels.map(jqlString).join(', ')})`);
  if (query.updatedSince !== null) clauses.push(`updated >= ${jqlString(formatJqlDate(query.updatedSince, timeZone))}`);
  if (clauses.length === 0) clauses.push('created >= "1970-01-01"');
  return `${clauses.join(' AND ')} ORDER BY key ASC`;
}

interface SearchResponse {
  issues?: unknown[];
  nextPageToken?: string;
  isLast?: boolean;
}

export async function listTickets(
  http: JiraHttp,
  ids: FieldIds,
  query: ListTicketsQuery,
  timeZone: string | null,
): Promise<TicketPage> {
  const { body } = await http.request<SearchResponse>('POST', '/rest/api/3/search/jql', {
    body: {
      jql: buildJql(query, timeZone),
      fields: ticketFields(ids),
      maxResults: Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(query.pageSize))),
      ...(query.cursor ? { nextPageToken: query.cursor } : {}),
    },
  });
  const tickets = (body.issues ?? []).map((issue) => issueToTicket(issue, ids));
  const next = typeof body.nextPageToken === 'string' && body.nextPageToken !== '' && body.isLast !== true ? body.nextPageToken : null;
  return { tickets, nextCursor: next };
}
