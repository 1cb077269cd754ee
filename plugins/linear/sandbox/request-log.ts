/** Every GraphQL request the sandbox answered, for assertions such as "Pool Guard wrote once". */

export interface LoggedRequest {
  at: number;
  /** The authenticated user, or null when the key was missing or unknown. */
  userId: string | null;
  operationType: 'query' | 'mutation' | 'subscription' | null;
  operationName: string | null;
  /** Root fields selected (`issueUpdate`, `issue`, ...). */
  rootFields: string[];
  variables: Record<string, unknown>;
  httpStatus: number;
  /** Why it was not executed: an injected fault, a rate limit, auth, or a parse/validation error. */
  rejected: 'auth' | 'ratelimited' | 'http429' | 'http500' | 'invalid' | null;
}

export interface CountOptions {
  userId?: string;
  /** Epoch ms; only requests at or after it. */
  since?: number;
  /**
   * Only requests logged at or after this position of `entries` (its length before the calls of
   * interest). Exact where `since` is not: two requests can be answered in the same millisecond.
   */
  from?: number;
}

export class RequestLog {
  readonly entries: LoggedRequest[] = [];

  add(entry: LoggedRequest): void {
    this.entries.push(entry);
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** Executed mutations (a write = a mutation request that was answered, whatever its GraphQL errors). */
  countWrites(options: CountOptions = {}): number {
    return this.select(options).filter((e) => e.operationType === 'mutation' && e.rejected === null).length;
  }

  /** Requests that were executed (queries and mutations). */
  countRequests(options: CountOptions = {}): number {
    return this.select(options).filter((e) => e.rejected === null).length;
  }

  private select(options: CountOptions): LoggedRequest[] {
    return this.entries.filter(
      (e, i) =>
        (options.from === undefined || i >= options.from) &&
        (options.userId === undefined || e.userId === options.userId) && (options.since === undefined || e.at >= options.since),
    );
  }
}
