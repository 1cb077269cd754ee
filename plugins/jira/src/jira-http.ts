/**
 * Jira Cloud REST over plain `fetch` with Basic auth (email + API token) and a per-request timeout.
 *
 * Why not jira.js: its errors are HttpExceptions whose headers (Retry-After, RateLimit-Reason) are only
 * reachable through `cause` (an axios error), and it brings axios into the worker for five endpoints.
 * Plain fetch gives status, headers and body directly, which is all map-error.ts needs. The sandbox
 * tests drive the sandbox with jira.js to keep both honest. No retries here: the worker schedules them.
 */
import type { Logger } from '@pool-guard/shared/logging';
import { mapHttpError, mapNetworkError } from './map-error.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export interface JiraHttpOptions {
  /** Site root, e.g. `https://acme.atlassian.net` (or a sandbox URL). */
  baseUrl: string;
  email: string;
  apiToken: string;
  timeoutMs?: number;
  logger?: Logger;
  fetch?: typeof fetch;
}

export interface JiraRequest {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
}

export interface JiraResponse<T> {
  status: number;
  body: T;
}

export interface JiraHttp {
  request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, request?: JiraRequest): Promise<JiraResponse<T>>;
  /** A view of this client that counts its own requests (for WriteBackResult.calls). */
  counting(): JiraHttp & { readonly calls: number };
}

export function createJiraHttp(options: JiraHttpOptions): JiraHttp {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;
  const authorization = `Basic ${Buffer.from(`${options.email}:${options.apiToken}`, 'utf8').toString('base64')}`;

  const request = async <T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, req: JiraRequest = {}): Promise<JiraResponse<T>> => {
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const call = `${method} ${path}`;
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    const started = Date.now();
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers,
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      options.logger?.debug({ call, err: err instanceof Error ? err.message : String(err) }, 'jira request failed');
      throw mapNetworkError(err, call, timeoutMs);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw mapNetworkError(err, call, timeoutMs);
    }
    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
      }
    }
    options.logger?.debug({ call, status: res.status, ms: Date.now() - started }, 'jira request');
    if (!res.ok) throw mapHttpError(res.status, res.headers, body, call);
    return { status: res.status, body: body as T };
  };

  const counting = (): JiraHttp & { readonly calls: number } => {
    let calls = 0;
    const view = {
      request: <T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, req?: JiraRequest) => {
        calls++;
        return request<T>(method, path, req);
      },
      counting,
      get calls() {
        return calls;
      },
    };
    return view;
  };

  return { request, counting };
}
