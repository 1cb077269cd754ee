import {
  AuthenticationLinearError,
  ForbiddenLinearError,
  GraphqlLinearError,
  InvalidInputLinearError,
  LinearErrorType,
  NetworkLinearError,
  RatelimitedLinearError,
  UnknownLinearError,
  UsageLimitExceededLinearError,
} from '@linear/sdk';
import { TrackerError } from '@pool-guard/shared/tracker';
import { mapLinearError, retryAfterMsOf } from '../src/map-error.js';

const NOW = 1_800_000_000_000;

/** The raw error shape @linear/sdk keeps on `err.raw` (a GraphQLClientError). */
function raw(status: number, headers: Record<string, string>, errors: unknown[] = []) {
  return { message: 'x', response: { status, headers: new Headers(headers), errors }, request: { query: 'q', variables: { apiKey: 'never-shown' } } };
}

describe('mapLinearError', () => {
  it('computes retryAfterMs from Retry-After, then the exhausted budget\'s reset, then 60 s', () => {
    const retryAfter = new RatelimitedLinearError(raw(400, { 'retry-after': '12' }) as never, []);
    expect(retryAfterMsOf(retryAfter, NOW)).toBe(12_000);
    const requests = new RatelimitedLinearError(
      raw(400, { 'x-ratelimit-requests-remaining': '0', 'x-ratelimit-requests-reset': String(NOW + 90_000), 'x-ratelimit-complexity-reset': String(NOW + 5_000) }) as never,
      [],
    );
    expect(retryAfterMsOf(requests, NOW)).toBe(90_000);
    const complexity = new RatelimitedLinearError(
      raw(400, { 'x-ratelimit-requests-remaining': '10', 'x-ratelimit-requests-reset': String(NOW + 90_000), 'x-ratelimit-complexity-remaining': '0', 'x-ratelimit-complexity-reset': String(NOW + 5_000) }) as never,
      [],
    );
    expect(retryAfterMsOf(complexity, NOW)).toBe(5_000);
    const seconds = new RatelimitedLinearError(raw(400, { 'x-ratelimit-requests-reset': String(NOW / 1000 + 30) }) as never, []);
    expect(retryAfterMsOf(seconds, NOW)).toBe(30_000);
    const past = new RatelimitedLinearError(raw(400, { 'x-ratelimit-requests-reset': String(NOW - 1) }) as never, []);
    expect(retryAfterMsOf(past, NOW)).toBe(60_000);
    expect(retryAfterMsOf(new RatelimitedLinearError(raw(429, {}) as never, []), NOW)).toBe(60_000);
    expect(retryAfterMsOf(new RatelimitedLinearError(raw(400, { 'retry-after': '999999' }) as never, []), NOW)).toBe(3_600_000);
  });

  it('treats extensions.code RATELIMITED as a rate limit even when the SDK did not recognise it', () => {
    // Linear sometimes sends only `code`; @linear/sdk 88.3.0 then raises an UnknownLinearError.
    const err = new UnknownLinearError(raw(400, { 'retry-after': '3' }, [{ message: 'Rate limit exceeded', extensions: { code: 'RATELIMITED' } }]) as never, []);
    expect(mapLinearError(err, NOW)).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3_000 });
  });

  it('maps each Linear error type to the kind the worker needs', () => {
    const cases: Array<[Error, string]> = [
      [new AuthenticationLinearError(raw(400, {}) as never, []), 'auth'],
      [new ForbiddenLinearError(raw(403, {}) as never, []), 'auth'],
      [new InvalidInputLinearError({ ...raw(200, {}), message: 'Entity not found: Issue' } as never, []), 'not_found'],
      [new InvalidInputLinearError(raw(200, {}, [{ message: 'Argument Validation Error' }]) as never, []), 'invalid'],
      [new GraphqlLinearError(raw(400, {}) as never, []), 'invalid'],
      [new UsageLimitExceededLinearError(raw(400, {}) as never, []), 'invalid'],
      [new NetworkLinearError(raw(502, {}) as never, []), 'transient'],
      [new UnknownLinearError({ message: 'fetch failed' } as never, []), 'transient'],
      [new TypeError('fetch failed'), 'transient'],
    ];
    for (const [err, kind] of cases) expect([err.constructor.name, mapLinearError(err, NOW).kind]).toEqual([err.constructor.name, kind]);
    expect(new AuthenticationLinearError().type).toBe(LinearErrorType.AuthenticationError);
  });

  it('passes TrackerErrors through and never leaks request variables', () => {
    const own = new TrackerError('invalid', 'mine');
    expect(mapLinearError(own)).toBe(own);
    const mapped = mapLinearError(new InvalidInputLinearError(raw(200, {}, [{ message: 'bad' }]) as never, []));
    expect(JSON.stringify({ message: mapped.message })).not.toContain('never-shown');
  });
});
