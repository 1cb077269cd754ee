/**
 * Pool Guard stays below Linear's hourly budgets: it reads X-RateLimit-* on every answer and stops
 * before the reserve, instead of spending the budget until Linear answers RATELIMITED.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { silentLogger } from '@pool-guard/shared/logging';
import { TrackerError } from '@pool-guard/shared/tracker';
import { linearPlugin } from '../src/index.js';
import { sandboxTenant } from './linear-test-tenant.js';
import { RateBudget } from '../src/rate-budget.js';
import { createLinearSandbox, type LinearSandbox } from '../sandbox/index.js';

function headers(h: Record<string, string>): Headers {
  return new Headers(h);
}

describe('RateBudget', () => {
  it('lets calls through while the budget is above the reserve, and stops at it until the reset', () => {
    let now = 1_000_000;
    const budget = new RateBudget({ now: () => now });
    budget.check(); // nothing known yet
    budget.observe(headers({ 'x-ratelimit-requests-limit': '2500', 'x-ratelimit-requests-remaining': '51', 'x-ratelimit-requests-reset': String(now + 60_000) }));
    budget.check();
    budget.observe(headers({ 'x-ratelimit-requests-limit': '2500', 'x-ratelimit-requests-remaining': '50', 'x-ratelimit-requests-reset': String(now + 60_000) }));
    let error: unknown;
    try {
      budget.check();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TrackerError);
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 60_000 });
    now += 60_001;
    expect(() => budget.check()).not.toThrow();
  });

  it('keeps back one full query of complexity', () => {
    const now = 5_000;
    const budget = new RateBudget({ now: () => now });
    budget.observe(headers({ 'x-ratelimit-complexity-remaining': '9000', 'x-ratelimit-complexity-reset': String(now + 1000) }));
    expect(() => budget.check()).toThrow(/complexity/);
  });

  it('ignores answers without budget headers', () => {
    const budget = new RateBudget();
    budget.observe(headers({}));
    budget.observe(undefined);
    expect(() => budget.check()).not.toThrow();
  });
});

describe('the Linear client against a sandbox with a small hourly budget', () => {
  let sandbox: LinearSandbox;
  let apiUrl: string;
  beforeAll(async () => {
    sandbox = createLinearSandbox({ requestsPerHour: 25 });
    apiUrl = await sandbox.listen(0);
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('stops itself at the reserve: Linear never has to answer RATELIMITED', async () => {
    const client = linearPlugin.connect(
      sandboxTenant(apiUrl, { webhookSecret: 's' }),
      { logger: silentLogger() },
    );
    let served = 0;
    let stopped: TrackerError | null = null;
    for (let i = 0; i < 40 && !stopped; i++) {
      try {
        await client.fetchTicket('ENG-9999');
        served++;
      } catch (err) {
        if (err instanceof TrackerError && err.kind === 'rate_limited') stopped = err;
        else throw err;
      }
    }
    expect(stopped).not.toBeNull();
    expect(stopped!.retryAfterMs).toBeGreaterThan(0);
    expect(served).toBe(25 - 10); // the reserve (10 requests) is kept
    expect(sandbox.requestLog.entries.filter((e) => e.rejected === 'ratelimited')).toHaveLength(0);
    expect(sandbox.requestLog.countRequests()).toBe(served);
  });
});
