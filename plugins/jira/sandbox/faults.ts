/**
 * Injected failures: a matching fault answers a REST request instead of its route, with the status,
 * headers and body Jira sends (429 with Retry-After and the rate-limit headers; 500/503).
 */
import type { Response } from 'express';
import { errorBody } from './jira-format.js';

export interface FaultSpec {
  /** HTTP method to match (any when absent). */
  method?: string;
  /** Path under the sandbox root: a prefix such as `/rest/api/3/issue` or a RegExp (any REST path when absent). */
  path?: string | RegExp;
  status: 429 | 500 | 503;
  /** Retry-After in seconds. For 429 it defaults to 2; `null` sends no Retry-After (as some 503s). */
  retryAfterSeconds?: number | null;
  /** How many matching requests to fail (Infinity for all). */
  times: number;
}

export interface Fault extends FaultSpec {
  readonly id: number;
  remaining: number;
  hits: number;
}

export class Faults {
  private faults: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: this.nextId++, remaining: spec.times, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  remove(id: number): void {
    this.faults = this.faults.filter((f) => f.id !== id);
  }

  clear(): void {
    this.faults = [];
  }

  list(): readonly Fault[] {
    return this.faults;
  }

  /** The first fault matching the request, used up by one; null when none applies. */
  take(method: string, path: string): Fault | null {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method.toUpperCase() === method.toUpperCase()) &&
        (f.path === undefined || (typeof f.path === 'string' ? path.startsWith(f.path) : f.path.test(path))),
    );
    if (!fault) return null;
    fault.remaining -= 1;
    fault.hits += 1;
    if (fault.remaining <= 0) this.remove(fault.id);
    return fault;
  }
}

/** Burst limits per method from Atlassian's rate-limiting page (requests per second). */
const BURST_LIMIT: Record<string, number> = { GET: 100, POST: 100, PUT: 50, DELETE: 50 };

export function sendFault(res: Response, fault: Fault, method: string, now: number): void {
  const retryAfter = fault.retryAfterSeconds === undefined ? (fault.status === 429 ? 2 : null) : fault.retryAfterSeconds;
  if (retryAfter !== null) res.setHeader('Retry-After', String(retryAfter));
  if (fault.status === 429) {
    res.setHeader('X-RateLimit-Limit', String(BURST_LIMIT[method.toUpperCase()] ?? 100));
    res.setHeader('X-RateLimit-Remaining', '0');
    res.setHeader('X-RateLimit-Reset', new Date(now + (retryAfter ?? 1) * 1000).toISOString());
    res.setHeader('RateLimit-Reason', 'jira-burst-based');
    res.status(429).json(errorBody(['Rate limit exceeded.']));
  } else if (fault.status === 503) {
    res.status(503).json(errorBody(['Service Unavailable. Please try again later.']));
  } else {
    res.status(500).json(errorBody(['Internal server error']));
  }
}
