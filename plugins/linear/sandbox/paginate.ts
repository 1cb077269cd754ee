/**
 * Relay-style connections as Linear serves them: `nodes`, `edges { node cursor }`, `pageInfo`,
 * `first`/`after` forwards and `last`/`before` backwards, archived entities left out unless
 * `includeArchived`, ordered by `createdAt` (default) or `updatedAt`. A cursor is the entity's id.
 */
import { invalidInput } from './linear-errors.js';

export interface PaginationArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  includeArchived?: boolean | null;
  orderBy?: string | null;
}

export interface Connection<T> {
  nodes: T[];
  edges: Array<{ node: T; cursor: string }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

interface Paginatable {
  id: string;
  createdAt: string;
  updatedAt: string;
  archivedAt?: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 250;

export function paginate<T extends Paginatable>(items: readonly T[], args: PaginationArgs): Connection<T> {
  const orderKey = args.orderBy === 'updatedAt' ? 'updatedAt' : 'createdAt';
  const visible = items
    .filter((item) => args.includeArchived === true || !item.archivedAt)
    .slice()
    // A stable sort: entities with the same timestamp keep the order they were created in.
    .sort((a, b) => (a[orderKey] < b[orderKey] ? -1 : a[orderKey] > b[orderKey] ? 1 : 0));

  for (const [name, value] of [['first', args.first], ['last', args.last]] as const) {
    if (value !== undefined && value !== null && (value < 0 || value > MAX_PAGE_SIZE)) {
      throw invalidInput(`Argument ${name} must be between 0 and ${MAX_PAGE_SIZE}`);
    }
  }

  let start = 0;
  let end = visible.length;
  if (args.after) {
    const at = visible.findIndex((item) => item.id === args.after);
    if (at < 0) throw invalidInput(`Invalid cursor: ${args.after}`);
    start = at + 1;
  }
  if (args.before) {
    const at = visible.findIndex((item) => item.id === args.before);
    if (at < 0) throw invalidInput(`Invalid cursor: ${args.before}`);
    end = at;
  }
  let window = visible.slice(start, end);
  let hasNextPage = end < visible.length;
  let hasPreviousPage = start > 0;
  if (args.last !== undefined && args.last !== null && (args.first === undefined || args.first === null)) {
    if (window.length > args.last) {
      hasPreviousPage = true;
      window = window.slice(window.length - args.last);
    }
  } else {
    const first = args.first ?? DEFAULT_PAGE_SIZE;
    if (window.length > first) {
      hasNextPage = true;
      window = window.slice(0, first);
    }
  }
  return {
    nodes: window,
    edges: window.map((node) => ({ node, cursor: node.id })),
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: window[0]?.id ?? null,
      endCursor: window[window.length - 1]?.id ?? null,
    },
  };
}
