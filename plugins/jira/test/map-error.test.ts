import { describe, expect, it } from '@jest/globals';
import { isTrackerError } from '@pool-guard/shared/tracker';
import { DEFAULT_RETRY_AFTER_MS, JiraHttpError, mapHttpError, mapNetworkError, retryAfterMs } from '../src/index.js';

const headers = (values: Record<string, string> = {}) => ({ get: (name: string) => values[name.toLowerCase()] ?? null });
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

describe('mapHttpError', () => {
  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not_found'],
    [400, 'invalid'],
    [409, 'invalid'],
    [422, 'invalid'],
    [410, 'invalid'],
    [408, 'transient'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [504, 'transient'],
  ] as const)('maps %i to %s', (status, kind) => {
    const err = mapHttpError(status, headers(), { errorMessages: ['nope'], errors: {} }, 'GET /rest/api/3/issue/CR-1');
    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    expect(err.message).toBe(`Jira GET /rest/api/3/issue/CR-1 answered ${status}: nope`);
  });

  it('turns Retry-After seconds into ms on 429, and defaults to 5 s', () => {
    expect(mapHttpError(429, headers({ 'retry-after': '12' }), {}, 'x').retryAfterMs).toBe(12_000);
    expect(mapHttpError(429, headers(), {}, 'x').retryAfterMs).toBe(DEFAULT_RETRY_AFTER_MS);
    expect(DEFAULT_RETRY_AFTER_MS).toBe(5000);
  });

  it('puts field errors into the message', () => {
    const err = mapHttpError(400, headers(), { errorMessages: [], errors: { labels: 'bad label' } }, 'PUT /rest/api/3/issue/1');
    expect(err.message).toContain('labels: bad label');
  });

  it("keeps Jira's error body apart, on a TrackerError", () => {
    const err = mapHttpError(400, headers(), { errorMessages: ['one'], errors: { comment: 'Can not find a comment for the id: 9.' } }, 'PUT /x');
    expect(err).toBeInstanceOf(JiraHttpError);
    expect(isTrackerError(err)).toBe(true);
    expect(err.errorMessages).toEqual(['one']);
    expect(err.fieldErrors).toEqual({ comment: 'Can not find a comment for the id: 9.' });
    expect(mapHttpError(502, headers(), '<html>bad gateway</html>', 'PUT /x')).toMatchObject({ errorMessages: [], fieldErrors: {} });
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('3', NOW)).toBe(3000);
    expect(retryAfterMs('0.5', NOW)).toBe(500);
    expect(retryAfterMs(new Date(NOW + 9000).toUTCString(), NOW)).toBe(9000);
    expect(retryAfterMs(new Date(NOW - 9000).toUTCString(), NOW)).toBe(0);
    expect(retryAfterMs('soon', NOW)).toBeNull();
    expect(retryAfterMs(null, NOW)).toBeNull();
  });
});

describe('mapNetworkError', () => {
  it('maps timeouts and refused connections to transient', () => {
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    expect(mapNetworkError(timeout, 'GET /x', 10_000)).toMatchObject({ kind: 'transient', message: 'Jira GET /x timed out after 10000 ms' });
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(mapNetworkError(refused, 'GET /x', 10_000)).toMatchObject({ kind: 'transient', message: 'Jira GET /x failed: ECONNREFUSED' });
  });
});
