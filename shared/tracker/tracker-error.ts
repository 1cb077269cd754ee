/**
 * Errors from trackers, in one union that says whether and when to retry. Plugins map vendor errors
 * (HTTP status, GraphQL extensions) to these; the worker maps them to BullMQ behaviour:
 * `rate_limited` -> delay by `retryAfterMs`, `transient` -> retry with backoff,
 * `auth | invalid | not_found` -> no retry.
 */
export type TrackerErrorKind = 'rate_limited' | 'auth' | 'not_found' | 'invalid' | 'transient';

/** How long to wait after a rate limit whose answer did not say (no Retry-After). */
export const DEFAULT_RETRY_AFTER_MS = 5_000;

export class TrackerError extends Error {
  override readonly name = 'TrackerError';
  constructor(
    readonly kind: TrackerErrorKind,
    message: string,
    /** For `rate_limited` (and `transient` when the tracker said when): how long to wait. */
    readonly retryAfterMs: number | null = null,
    readonly status: number | null = null,
  ) {
    super(message);
  }

  /** How long to wait before calling again: what the tracker said, or DEFAULT_RETRY_AFTER_MS. */
  get waitMs(): number {
    return this.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  }

  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'transient';
  }
}

export function isTrackerError(err: unknown): err is TrackerError {
  return err instanceof TrackerError;
}
