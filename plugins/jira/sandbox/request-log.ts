/** Every request the sandbox answered, for tests that count Pool Guard's calls. */

export interface RequestLogEntry {
  method: string;
  /** Path under the sandbox root, without the query string: `/rest/api/3/issue/CR-1`. */
  path: string;
  status: number;
  /** The authenticated account, null when the request was anonymous or failed auth. */
  accountId: string | null;
  /** Epoch ms when the response was sent. */
  at: number;
}

export interface CountWritesFilter {
  accountId?: string;
  /** Only requests answered at or after this epoch ms. */
  since?: number;
  /**
   * Only requests logged at or after this position of the request log (its length before the calls
   * of interest). Exact where `since` is not: two requests can be answered in the same millisecond.
   */
  from?: number;
  /** Only requests answered with 2xx (default: every attempt, failed ones included). */
  successfulOnly?: boolean;
}

/** Searches are POSTs that read; they are not writes. */
const READ_POSTS = [/^\/rest\/api\/3\/search(\/jql)?$/];

export function isWrite(entry: RequestLogEntry): boolean {
  if (!entry.path.startsWith('/rest/')) return false;
  if (entry.method === 'GET' || entry.method === 'HEAD' || entry.method === 'OPTIONS') return false;
  return !(entry.method === 'POST' && READ_POSTS.some((r) => r.test(entry.path)));
}

export function countWrites(log: readonly RequestLogEntry[], filter: CountWritesFilter = {}): number {
  return log.filter(
    (e, i) =>
      (filter.from === undefined || i >= filter.from) &&
      isWrite(e) &&
      (filter.accountId === undefined || e.accountId === filter.accountId) &&
      (filter.since === undefined || e.at >= filter.since) &&
      (!filter.successfulOnly || (e.status >= 200 && e.status < 300)),
  ).length;
}
