/**
 * Keeps Pool Guard below Linear's hourly budgets before Linear has to say no. Every answer carries
 * `X-RateLimit-Requests-*` and `X-RateLimit-Complexity-*` (remaining, reset in epoch ms); when what
 * is left falls to the reserve, calls stop with a `rate_limited` TrackerError until the reset, so
 * the worker delays the job (and pauses the tenant) instead of spending the last of the budget.
 */
import { TrackerError } from '@pool-guard/shared/tracker';

export interface RateBudgetOptions {
  /** Requests kept back: this share of the hourly limit, at least `minRequests` (default 2 %, 10). */
  reserveShare?: number;
  minRequests?: number;
  /** Complexity points kept back (default 10,000: Linear's cap for one query). */
  reserveComplexity?: number;
  now?: () => number;
}

interface Window {
  remaining: number;
  limit: number | null;
  resetAt: number;
}

function num(headers: Headers, name: string): number | null {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

export class RateBudget {
  private requests: Window | null = null;
  private complexity: Window | null = null;
  private readonly now: () => number;

  constructor(private readonly options: RateBudgetOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Reads the budget headers of an answer. Refusals (RATELIMITED, 429) are not passed here: their
   * retry delay travels with the error and the worker pauses the tenant for it.
   */
  observe(headers: Headers | undefined | null): void {
    if (!headers || typeof headers.get !== 'function') return;
    const read = (kind: 'Requests' | 'Complexity'): Window | null => {
      const remaining = num(headers, `x-ratelimit-${kind.toLowerCase()}-remaining`);
      const resetAt = num(headers, `x-ratelimit-${kind.toLowerCase()}-reset`);
      if (remaining === null || resetAt === null) return null;
      return { remaining, resetAt, limit: num(headers, `x-ratelimit-${kind.toLowerCase()}-limit`) };
    };
    this.requests = read('Requests') ?? this.requests;
    this.complexity = read('Complexity') ?? this.complexity;
  }

  /** Throws `rate_limited` (retry at the reset) when the next call would eat into the reserve. */
  check(): void {
    const now = this.now();
    const r = this.requests;
    if (r && now < r.resetAt) {
      const reserve = Math.max(this.options.minRequests ?? 10, Math.ceil((r.limit ?? 0) * (this.options.reserveShare ?? 0.02)));
      if (r.remaining <= reserve) {
        throw new TrackerError('rate_limited', `Linear request budget nearly spent (${r.remaining} left until the reset); waiting for it`, r.resetAt - now);
      }
    }
    const c = this.complexity;
    if (c && now < c.resetAt && c.remaining <= (this.options.reserveComplexity ?? 10_000)) {
      throw new TrackerError('rate_limited', `Linear complexity budget nearly spent (${c.remaining} points left); waiting for the reset`, c.resetAt - now);
    }
  }
}
