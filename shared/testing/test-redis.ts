/**
 * Test helpers for a real Redis: the harness (test/jest-global-setup.js) starts a private
 * redis-server for the run and exports its URL; each test uses its own key prefix.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export function testRedisUrl(): string {
  const url = process.env.POOLGUARD_TEST_REDIS_URL;
  if (!url) throw new Error('POOLGUARD_TEST_REDIS_URL is not set: run tests through jest (the global setup starts redis-server)');
  return url;
}

/** A unique key prefix, so tests sharing the run's Redis never see each other's keys. */
export function uniquePrefix(name = 't'): string {
  return `${name}-${randomBytes(4).toString('hex')}`;
}

export function connectTestRedis(options: { forBlocking?: boolean } = {}): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: options.forBlocking ? null : 3, lazyConnect: false });
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function eventually<T>(probe: () => Promise<T> | T, what: string, timeoutMs = 15_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
