/**
 * Injected failures: the next `times` requests matching `operation` (an operation name such as
 * `updateIssue`, or a root field such as `issueUpdate`; absent = any request) fail with
 *  - `ratelimited`: HTTP 400, `extensions.code = "RATELIMITED"`, and X-RateLimit-* headers whose reset
 *    is `resetInMs` from now (Linear's own answer),
 *  - `http429`: a bare HTTP 429 (what a proxy in front of Linear might send),
 *  - `http500`: a bare HTTP 500.
 */

export type FaultKind = 'ratelimited' | 'http429' | 'http500';

export interface FaultSpec {
  operation?: string;
  kind: FaultKind;
  times: number;
  /** For `ratelimited`/`http429`: when the limit resets (default 60 s). */
  resetInMs?: number;
  /** Also send `Retry-After: <seconds>` (Linear's documented answer does not). */
  retryAfterSeconds?: number;
}

interface ActiveFault extends FaultSpec {
  remaining: number;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    if (!Number.isInteger(spec.times) || spec.times < 1) throw new Error('faults.add: times must be a positive integer');
    this.faults.push({ ...spec, remaining: spec.times });
  }

  clear(): void {
    this.faults = [];
  }

  /** Faults still armed. */
  pending(): FaultSpec[] {
    return this.faults.map(({ remaining, ...spec }) => ({ ...spec, times: remaining }));
  }

  /** Consumes and returns the first fault matching this request, if any. */
  take(operationName: string | null, rootFields: readonly string[]): FaultSpec | null {
    const index = this.faults.findIndex(
      (f) => f.operation === undefined || f.operation === operationName || rootFields.includes(f.operation),
    );
    if (index < 0) return null;
    const fault = this.faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    const { remaining: _remaining, ...spec } = fault;
    return spec;
  }
}
