/**
 * The tenant's connection to Linear: an @linear/sdk `LinearClient` (API key sent raw in
 * `Authorization`, `apiUrl` from the tenant config) used through `rawRequest` with Pool Guard's own
 * small documents (one request per read instead of one per lazy relation), every failure mapped to
 * a TrackerError, and a timeout so a hung request cannot hold a worker slot forever.
 */
import { LinearClient } from '@linear/sdk';
import type { LinearTenantConfig } from '@pool-guard/shared/config';
import { TrackerError } from '@pool-guard/shared/tracker';
import { mapLinearError } from './map-error.js';
import { RateBudget } from './rate-budget.js';

export interface LinearGql {
  /** Runs one GraphQL document; resolves to `data`, rejects with a TrackerError. */
  request<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export interface LinearGqlOptions {
  /** Give up on a request after this long (default 30 s); it is then a `transient` error. */
  timeoutMs?: number;
  /** Called once per HTTP request made (for WriteBackResult.calls and metrics). */
  onRequest?: () => void;
  /** The tenant's hourly budget as Linear last reported it (one per client). */
  budget?: RateBudget;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export function createSdkClient(tenant: Pick<LinearTenantConfig, 'apiKey' | 'apiUrl'>): LinearClient {
  return new LinearClient({ apiKey: tenant.apiKey, apiUrl: tenant.apiUrl });
}

export function createLinearGql(sdk: LinearClient, options: LinearGqlOptions = {}): LinearGql {
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const budget = options.budget ?? new RateBudget();
  return {
    async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
      budget.check();
      options.onRequest?.();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new TrackerError('transient', `Linear did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const response = await Promise.race([sdk.client.rawRequest<T, Record<string, unknown>>(query, variables), timeout]);
        budget.observe(response.headers);
        if (response.data === undefined || response.data === null) throw new TrackerError('transient', 'Linear answered without data');
        return response.data;
      } catch (err) {
        const mapped = mapLinearError(err);
        // A refusal's delay travels with the error; any other answer still reports the budget.
        if (mapped.kind !== 'rate_limited') budget.observe((err as { raw?: { response?: { headers?: Headers } } })?.raw?.response?.headers);
        throw mapped;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** A view of `gql` that counts its requests (one write-back's `calls`). */
export function countingGql(gql: LinearGql): { gql: LinearGql; calls: () => number } {
  let calls = 0;
  return {
    gql: {
      request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
        calls += 1;
        return gql.request<T>(query, variables);
      },
    },
    calls: () => calls,
  };
}
