/**
 * Pages of tickets through the enhanced search, POST /rest/api/3/search/jql: bounded JQL built from
 * scopes, labels (or issue types) and updatedSince, explicit `fields` (the default would be ids
 * only), and Jira's `nextPageToken` as the cursor (absent on the last page). A sweep also asks for
 * the `comment` field and the `pool-guard` property, to see Pool Guard's marks on each issue.
 */
import type { ListTicketsQuery, TicketMarks, TicketPage } from '@pool-guard/shared/tracker';
import type { FieldIds } from './field-ids.js';
import { issueToTicket, ticketFields } from './fetch-ticket.js';
import type { JiraHttp } from './jira-http.js';
import { formatJqlDate } from './jira-date.js';
import { BADGE_PROPERTY_KEY } from './write-back.js';

export const MAX_PAGE_SIZE = 5000;

/** A JQL string literal. */
export function jqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The JQL for a query. Jira rejects unbounded searches, so a query with no scope, label or date gets
 * `created >= "1970-01-01"` as its restriction.
 */
export function buildJql(query: Pick<ListTicketsQuery, 'scopes' | 'labels' | 'updatedSince' | 'issueTypes'>, timeZone: string | null): string {
  const clauses: string[] = [];
  if (query.scopes.length > 0) clauses.push(`project in (${query.scopes.map(jqlString).join(', ')})`);
  const custom: string[] = [];
  if (query.labels.length > 0) custom.push(`labels in (${query.labels.map(jqlString).join(', ')})`);
  if (query.issueTypes && query.issueTypes.length > 0) custom.push(`issuetype in (${query.issueTypes.map(jqlString).join(', ')})`);
  if (custom.length === 1) clauses.push(custom[0]!);
  if (custom.length > 1) clauses.push(`(${custom.join(' OR ')})`);
  if (query.updatedSince !== null) clauses.push(`updated >= ${jqlString(formatJqlDate(query.updatedSince, timeZone))}`);
  if (clauses.length === 0) clauses.push('created >= "1970-01-01"');
  return `${clauses.join(' AND ')} ORDER BY key ASC`;
}

interface SearchResponse {
  issues?: unknown[];
  nextPageToken?: string;
  isLast?: boolean;
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/**
 * Pool Guard's marks on a searched issue: the `pool-guard` property (asked for with `properties`)
 * and the ids of the comments `botAccountId` wrote (from the `comment` field; unknown when Jira
 * returned only part of the comments).
 */
export function marksOf(issue: unknown, botAccountId: string): TicketMarks {
  const i = obj(issue);
  const property = obj(i.properties)[BADGE_PROPERTY_KEY];
  const container = obj(obj(i.fields).comment);
  const comments = Array.isArray(container.comments) ? container.comments.map(obj) : null;
  const complete = comments !== null && (typeof container.total !== 'number' || container.total <= comments.length);
  return {
    badge: typeof property === 'object' && property !== null && !Array.isArray(property) ? (property as Json) : null,
    commentIds: complete
      ? comments.filter((c) => obj(c.author).accountId === botAccountId && typeof c.id === 'string').map((c) => c.id as string)
      : null,
  };
}

export async function listTickets(
  http: JiraHttp,
  ids: FieldIds,
  query: ListTicketsQuery,
  timeZone: string | null,
  /** Pool Guard's account, to find its comments when the query asks for marks. */
  botAccountId: string | null = null,
): Promise<TicketPage> {
  const withMarks = query.withMarks === true && botAccountId !== null;
  const { body } = await http.request<SearchResponse>('POST', '/rest/api/3/search/jql', {
    body: {
      jql: buildJql(query, timeZone),
      fields: withMarks ? [...ticketFields(ids), 'comment'] : ticketFields(ids),
      ...(withMarks ? { properties: [BADGE_PROPERTY_KEY] } : {}),
      maxResults: Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(query.pageSize))),
      ...(query.cursor ? { nextPageToken: query.cursor } : {}),
    },
  });
  const issues = body.issues ?? [];
  const tickets = issues.map((issue) => issueToTicket(issue, ids));
  const next = typeof body.nextPageToken === 'string' && body.nextPageToken !== '' && body.isLast !== true ? body.nextPageToken : null;
  if (!withMarks) return { tickets, nextCursor: next };
  const marks = new Map<string, TicketMarks>();
  issues.forEach((issue, n) => marks.set(tickets[n]!.id, marksOf(issue, botAccountId)));
  return { tickets, nextCursor: next, marks };
}
