/**
 * Jira HTTP failures -> TrackerError, the union the worker schedules retries from:
 * 429 -> rate_limited (Retry-After seconds -> ms, 5 s when absent); 401/403 -> auth; 404 ->
 * not_found; 400/409/422 and other 4xx -> invalid; 408, 5xx, network errors and timeouts ->
 * transient (with Retry-After when a 503 gives one). The client never retries by itself.
 * Messages name the call and Jira's error text, never credentials. The error keeps Jira's error
 * body apart (`JiraHttpError`: `errorMessages` and the per-field `errors`), so a caller can tell which
 * part of a combined edit Jira refused (write-back.ts: the comment).
 */
import { TrackerError } from '@pool-guard/shared/tracker';

export const DEFAULT_RETRY_AFTER_MS = 5000;

/** Retry-After as ms: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, nowMs: number = Date.now()): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** A Jira HTTP failure: a TrackerError that also carries Jira's error body. */
export class JiraHttpError extends TrackerError {
  constructor(
    kind: TrackerError['kind'],
    message: string,
    retryAfterMs: number | null,
    status: number,
    /** `errorMessages` of Jira's error body. */
    readonly errorMessages: readonly string[],
    /** `errors` of Jira's error body: field id -> message. */
    readonly fieldErrors: Readonly<Record<string, string>>,
  ) {
    super(kind, message, retryAfterMs, status);
  }
}

/** Jira's `{"errorMessages":[...],"errors":{...}}`, each part empty when absent. */
export function jiraErrorParts(body: unknown): { errorMessages: string[]; fieldErrors: Record<string, string> } {
  if (typeof body !== 'object' || body === null) return { errorMessages: [], fieldErrors: {} };
  const b = body as { errorMessages?: unknown; errors?: unknown };
  const errorMessages = Array.isArray(b.errorMessages) ? b.errorMessages.filter((m): m is string => typeof m === 'string') : [];
  const fieldErrors: Record<string, string> = {};
  if (typeof b.errors === 'object' && b.errors !== null && !Array.isArray(b.errors)) {
    for (const [k, v] of Object.entries(b.errors as Record<string, unknown>)) fieldErrors[k] = String(v);
  }
  return { errorMessages, fieldErrors };
}

/** Jira's `{"errorMessages":[...],"errors":{...}}` as one short line. */
export function jiraErrorText(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 300);
  if (typeof body !== 'object' || body === null) return '';
  const b = body as { errorMessages?: unknown; errors?: unknown; message?: unknown };
  const messages = Array.isArray(b.errorMessages) ? b.errorMessages.filter((m): m is string => typeof m === 'string') : [];
  const errors =
    typeof b.errors === 'object' && b.errors !== null
      ? Object.entries(b.errors as Record<string, unknown>).map(([k, v]) => `${k}: ${String(v)}`)
      : [];
  const message = typeof b.message === 'string' ? [b.message] : [];
  return [...messages, ...errors, ...message].join('; ').slice(0, 300);
}

export function mapHttpError(
  status: number,
  headers: { get(name: string): string | null },
  body: unknown,
  call: string,
): JiraHttpError {
  const detail = jiraErrorText(body);
  const message = `Jira ${call} answered ${status}${detail ? `: ${detail}` : ''}`;
  const retryAfter = retryAfterMs(headers.get('retry-after'));
  const { errorMessages, fieldErrors } = jiraErrorParts(body);
  const error = (kind: TrackerError['kind'], after: number | null): JiraHttpError =>
    new JiraHttpError(kind, message, after, status, errorMessages, fieldErrors);
  if (status === 429) return error('rate_limited', retryAfter ?? DEFAULT_RETRY_AFTER_MS);
  if (status === 401 || status === 403) return error('auth', null);
  if (status === 404) return error('not_found', null);
  if (status === 408 || status >= 500) return error('transient', retryAfter);
  return error('invalid', null);
}

export function mapNetworkError(err: unknown, call: string, timeoutMs: number): TrackerError {
  // Duck-typed: fetch's DOMExceptions may come from another realm (e.g. under a test VM).
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; message?: unknown; cause?: { code?: unknown } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return new TrackerError('transient', `Jira ${call} timed out after ${timeoutMs} ms`);
  }
  const code = typeof e.cause?.code === 'string' ? e.cause.code : typeof e.message === 'string' ? e.message : String(err);
  return new TrackerError('transient', `Jira ${call} failed: ${code}`);
}
