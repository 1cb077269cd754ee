/**
 * One Linear issue -> the domain `Ticket`, in one request with exactly the fields needed:
 * key = identifier, id = UUID, scope = team key, labels = label names, estimate points = `estimate`,
 * rank = `sortOrder`, progress from the workflow state type. Trashed or archived issues, and ids
 * Linear does not know, are `null` (deleted).
 */
import type { Ticket, WorkProgress } from '@pool-guard/shared/domain';
import { isTrackerError } from '@pool-guard/shared/tracker';
import type { LinearGql } from './linear-client.js';

/** The issue fields a Ticket needs. `needs` only when the tenant counts linked customer requests. */
export const ISSUE_TICKET_FRAGMENT = /* GraphQL */ `
  fragment PoolGuardTicket on Issue {
    id
    identifier
    title
    estimate
    dueDate
    createdAt
    updatedAt
    sortOrder
    archivedAt
    trashed
    team { id key }
    state { type }
    labels(first: $labelPageSize) { nodes { name } pageInfo { hasNextPage } }
    needs(first: 1) @include(if: $withNeeds) { nodes { id } }
  }
`;

const FETCH_TICKET = /* GraphQL */ `
  query PoolGuardFetchTicket($id: String!, $withNeeds: Boolean!, $labelPageSize: Int!) {
    issue(id: $id) { ...PoolGuardTicket }
  }
  ${ISSUE_TICKET_FRAGMENT}
`;

/** The raw issue as the fragment returns it. */
export interface LinearTicketNode {
  id: string;
  identifier: string;
  title: string;
  estimate: number | null;
  dueDate: string | null;
  createdAt: string;
  updatedAt: string;
  sortOrder: number;
  archivedAt: string | null;
  trashed: boolean | null;
  team: { id: string; key: string };
  state: { type: string };
  labels: { nodes: Array<{ name: string }>; pageInfo: { hasNextPage: boolean } };
  needs?: { nodes: Array<{ id: string }> };
}

export interface FetchTicketOptions {
  /** Ask for linked customer requests (tenant `includeLinkedCustomerRequests`). */
  withNeeds: boolean;
}

/** Linear workflow state type -> where the work stands. */
export function progressOf(stateType: string): WorkProgress {
  switch (stateType) {
    case 'started':
      return 'in-progress';
    case 'completed':
      return 'done';
    case 'canceled':
      return 'canceled';
    case 'triage':
    case 'backlog':
    case 'unstarted':
    default:
      return 'not-started';
  }
}

/** The domain ticket of an issue node, or null when the issue is trashed or archived. */
export function toTicket(node: LinearTicketNode): Ticket | null {
  if (node.trashed === true || node.archivedAt !== null) return null;
  return {
    key: node.identifier,
    id: node.id,
    scope: node.team.key,
    title: node.title,
    labels: node.labels.nodes.map((l) => l.name),
    issueType: null,
    linkedToCustomerRequest: (node.needs?.nodes.length ?? 0) > 0,
    estimate: { seconds: null, points: node.estimate ?? null },
    dueDate: node.dueDate ?? null,
    createdAt: new Date(node.createdAt).toISOString(),
    updatedAt: new Date(node.updatedAt).toISOString(),
    rank: typeof node.sortOrder === 'number' ? node.sortOrder : null,
    progress: progressOf(node.state.type),
  };
}

/** The issue by UUID or identifier (`ENG-342`); null when Linear does not know it or it is trashed/archived. */
export async function fetchTicket(gql: LinearGql, keyOrId: string, options: FetchTicketOptions): Promise<Ticket | null> {
  try {
    const data = await gql.request<{ issue: LinearTicketNode | null }>(FETCH_TICKET, {
      id: keyOrId,
      withNeeds: options.withNeeds,
      labelPageSize: 250,
    });
    return data.issue ? toTicket(data.issue) : null;
  } catch (err) {
    if (isTrackerError(err) && err.kind === 'not_found') return null;
    throw err;
  }
}
