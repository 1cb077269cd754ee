/**
 * @linear/sdk errors -> TrackerError, the one union the worker understands.
 *
 *  - rate limited (SDK `Ratelimited`, any GraphQL error with `extensions.code = "RATELIMITED"`, or
 *    HTTP 429) -> `rate_limited` with `retryAfterMs` from `Retry-After`, else the X-RateLimit-*-Reset
 *    headers (epoch ms), else 60 s;
 *  - `AuthenticationError` / `Forbidden` (and any 401/403) -> `auth`;
 *  - "Entity not found" (Linear says `invalid input`) -> `not_found`;
 *  - other input, GraphQL validation, usage-limit and feature errors -> `invalid`;
 *  - network failures, timeouts, 5xx, lock timeouts and anything unknown -> `transient`.
 * Messages never include the request variables or headers (they may carry the API key or bodies).
 */
import { LinearError, LinearErrorType } from '@linear/sdk';
import { TrackerError } from '@pool-guard/shared/tracker';

const DEFAULT_RETRY_AFTER_MS = 60_000;
const MAX_RETRY_AFTER_MS = 3_600_000;

interface RawGraphQLError {
  message?: unknown;
  extensions?: { code?: unknown; type?: unknown; statusCode?: unknown };
}

interface RawResponse {
  status?: number;
  headers?: { get(name: string): string | null };
  errors?: RawGraphQLError[];
}

function rawResponse(err: LinearError): RawResponse | undefined {
  const raw = err.raw as unknown as { response?: RawResponse } | undefined;
  return raw?.response;
}

function header(response: RawResponse | undefined, name: string): number | null {
  const value = response?.headers?.get(name);
  if (value === undefined || value === null || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Epoch ms from a reset header that may be epoch ms (Linear) or epoch seconds. */
function epochMs(value: number): number {
  return value < 1e12 ? value * 1000 : value;
}

/** How long to wait before retrying a rate-limited request. */
export function retryAfterMsOf(err: LinearError, nowMs: number = Date.now()): number {
  const response = rawResponse(err);
  const clamp = (ms: number): number => Math.min(MAX_RETRY_AFTER_MS, Math.max(1000, Math.ceil(ms)));
  const retryAfter = header(response, 'retry-after');
  if (retryAfter !== null && retryAfter >= 0) return clamp(retryAfter * 1000);

  const requestsRemaining = header(response, 'x-ratelimit-requests-remaining');
  const requestsReset = header(response, 'x-ratelimit-requests-reset');
  const complexityRemaining = header(response, 'x-ratelimit-complexity-remaining');
  const complexityReset = header(response, 'x-ratelimit-complexity-reset');
  // The exhausted budget decides; when neither says it is exhausted, wait for the later reset.
  const candidates: number[] = [];
  if (requestsReset !== null && requestsRemaining === 0) candidates.push(epochMs(requestsReset));
  if (complexityReset !== null && complexityRemaining === 0) candidates.push(epochMs(complexityReset));
  if (candidates.length === 0) {
    for (const reset of [requestsReset, complexityReset]) if (reset !== null) candidates.push(epochMs(reset));
  }
  const future = candidates.map((at) => at - nowMs).filter((ms) => ms > 0);
  if (future.length > 0) return clamp(Math.max(...future));
  return DEFAULT_RETRY_AFTER_MS;
}

function graphQLErrors(err: LinearError): RawGraphQLError[] {
  return rawResponse(err)?.errors ?? [];
}

function isRateLimited(err: LinearError): boolean {
  return (
    err.type === LinearErrorType.Ratelimited ||
    err.status === 429 ||
    graphQLErrors(err).some((e) => e.extensions?.code === 'RATELIMITED' || e.extensions?.type === 'ratelimited')
  );
}

function isNotFound(err: LinearError): boolean {
  const messages = [err.message, ...graphQLErrors(err).map((e) => (typeof e.message === 'string' ? e.message : ''))];
  return messages.some((m) => /entity not found|could not find referenced|not found/i.test(m));
}

/** A short, secret-free description: the error type and Linear's first message. */
function describe(err: LinearError): string {
  const first = err.errors?.[0]?.message ?? err.message.split(': {')[0] ?? err.message;
  return `Linear ${err.type}: ${first}`.slice(0, 500);
}

export function mapLinearError(err: unknown, nowMs: number = Date.now()): TrackerError {
  if (err instanceof TrackerError) return err;
  if (!(err instanceof LinearError)) {
    const message = err instanceof Error ? err.message : String(err);
    return new TrackerError('transient', `Linear request failed: ${message}`.slice(0, 500));
  }
  const status = err.status ?? null;
  if (isRateLimited(err)) return new TrackerError('rate_limited', describe(err), retryAfterMsOf(err, nowMs), status);
  switch (err.type) {
    case LinearErrorType.AuthenticationError:
    case LinearErrorType.Forbidden:
      return new TrackerError('auth', `${describe(err)} (check the tenant's Linear API key and its permissions)`, null, status);
    case LinearErrorType.InvalidInput:
      return new TrackerError(isNotFound(err) ? 'not_found' : 'invalid', describe(err), null, status);
    case LinearErrorType.GraphqlError:
    case LinearErrorType.UserError:
    case LinearErrorType.FeatureNotAccessible:
    case LinearErrorType.UsageLimitExceeded:
    case LinearErrorType.BootstrapError:
      return new TrackerError('invalid', describe(err), null, status);
    case LinearErrorType.NetworkError:
    case LinearErrorType.InternalError:
    case LinearErrorType.LockTimeout:
    case LinearErrorType.Other:
    case LinearErrorType.Unknown:
      return new TrackerError('transient', describe(err), null, status);
    default:
      if (status === 401 || status === 403) return new TrackerError('auth', describe(err), null, status);
      return new TrackerError('transient', describe(err), null, status);
  }
}
