/**
 * The per-process pool cache of LedgerStore: a pool read from the cache is always the pool as Redis
 * has it, whoever changed it (another process, an older version without stamps, a Redis that lost
 * its last writes and took others), and the cache stays within its bound.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { admitRequests, poolIdOf, type PoolRequest } from '../../domain/index.js';
import { connectTestRedis, uniquePrefix } from '../../testing/index.js';
import { createKeySpace, type KeySpace } from '../keys.js';
import { DEFAULT_POOL_CACHE_MIN_REQUESTS, LedgerStore, type PoolSnapshot } from '../ledger-store.js';

const tenant = 'acme';
const POOL = 'CR/2026-Q4';

function request(n: number, overrides: Partial<PoolRequest> = {}): PoolRequest {
  return {
    key: `CR-${n}`,
    id: `id-${n}`,
    title: `Request ${n}`,
    scope: 'CR',
    quarter: '2026-Q4',
    days: 1 + (n % 5),
    committed: false,
    rank: `0|${String(n).padStart(6, '0')}:`,
    createdAt: '2026-10-01T10:00:00.000Z',
    updatedAt: `2026-10-01T10:00:${String(n % 60).padStart(2, '0')}.000Z`,
    ...overrides,
  };
}

let clock = Date.UTC(2026, 10, 1);
/** A newer version of a request (so the ledger applies it). */
function newer(r: PoolRequest, overrides: Partial<PoolRequest> = {}): PoolRequest {
  clock += 1000;
  return { ...r, ...overrides, updatedAt: new Date(clock).toISOString() };
}

async function put(store: LedgerStore, r: PoolRequest): Promise<void> {
  const result = await store.applyTicketChange(tenant, r.id, { kind: 'upsert', updatedAt: r.updatedAt, request: r }, { key: r.key, excluded: null });
  expect(result.applied).toBe(true);
}

async function remove(store: LedgerStore, id: string): Promise<void> {
  clock += 1000;
  await store.applyTicketChange(tenant, id, { kind: 'delete', at: new Date(clock).toISOString() }, { key: null, excluded: null });
}

/** What a snapshot says, independent of the order Redis lists a hash in. */
function content(s: PoolSnapshot) {
  return { ...s, requests: [...s.requests].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}

describe('LedgerStore pool cache', () => {
  const connections: Redis[] = [];
  let keys: KeySpace;
  /** Stores of two "processes" with their own connections, and one without a cache as the reference. */
  let a: LedgerStore;
  let b: LedgerStore;
  let reference: LedgerStore;
  let raw: Redis;

  const connect = () => {
    const r = connectTestRedis();
    connections.push(r);
    return r;
  };

  beforeAll(() => {
    keys = createKeySpace(uniquePrefix('pool-cache'));
    // Small pools, all cached (by default only pools of DEFAULT_POOL_CACHE_MIN_REQUESTS requests and more are).
    a = new LedgerStore({ redis: connect(), keys, poolCacheMinRequests: 0 });
    b = new LedgerStore({ redis: connect(), keys, poolCacheMinRequests: 0 });
    reference = new LedgerStore({ redis: connect(), keys, poolCacheWeight: 0 });
    raw = connect();
  });
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.quit()));
  });

  async function expectCurrent(store: LedgerStore, poolId: string): Promise<PoolSnapshot> {
    const [got, truth] = [await store.readPool(tenant, poolId), await reference.readPool(tenant, poolId)];
    expect(content(got)).toEqual(content(truth));
    return got;
  }

  it('serves a pool again without re-reading it, and moves it along with its own changes', async () => {
    for (let n = 1; n <= 20; n++) await put(a, request(n));
    await expectCurrent(a, POOL);
    const before = a.poolCacheStats();
    await put(a, newer(request(3), { days: 9 }));
    await remove(a, 'id-4');
    const got = await expectCurrent(a, POOL);
    const after = a.poolCacheStats();
    expect(after.misses).toBe(before.misses);
    expect(after.hits).toBe(before.hits + 1);
    expect(after.advanced).toBe(before.advanced + 2);
    expect(got.requests.find((r) => r.id === 'id-3')?.days).toBe(9);
    expect(got.requests.map((r) => r.id)).not.toContain('id-4');
  });

  it('sees the changes another process made to a pool it holds: requests, settings and outcome', async () => {
    const cached = await expectCurrent(a, POOL);
    await put(b, newer(request(5), { days: 0.5 }));
    await b.setPoolSettings(tenant, POOL, { limitDays: 11, warnAtPercent: 70 });
    const seen = await expectCurrent(a, POOL);
    expect(seen.version).toBeGreaterThan(cached.version);
    expect(seen.settings).toMatchObject({ limitDays: 11, warnAtPercent: 70 });
    expect(seen.requests.find((r) => r.id === 'id-5')?.days).toBe(0.5);

    // a commits an outcome, b commits another one at the same version: a must show b's.
    const outcome = admitRequests({ limitDays: 11, warnAtPercent: 70 }, seen.requests);
    expect(await a.commitOutcome(tenant, POOL, seen.version, outcome, new Date('2026-11-01T00:00:00Z'))).toBe(true);
    expect((await expectCurrent(a, POOL)).outcome?.computedAt).toBe('2026-11-01T00:00:00.000Z');
    expect(await b.commitOutcome(tenant, POOL, seen.version, outcome, new Date('2026-11-02T00:00:00Z'))).toBe(true);
    expect((await expectCurrent(a, POOL)).outcome?.computedAt).toBe('2026-11-02T00:00:00.000Z');
  });

  it('does not advance its copy past another process change that came first', async () => {
    await expectCurrent(a, POOL);
    await put(b, newer(request(6), { days: 4.25 }));
    await put(a, newer(request(7), { days: 3.5 }));
    const got = await expectCurrent(a, POOL);
    expect(got.requests.find((r) => r.id === 'id-6')?.days).toBe(4.25);
    expect(got.requests.find((r) => r.id === 'id-7')?.days).toBe(3.5);
  });

  it('is not fooled when Redis loses its last writes and the pool reaches the same version with other content', async () => {
    const pool = 'CR/2027-Q1';
    for (let n = 100; n < 105; n++) await put(a, request(n, { quarter: '2027-Q1' }));
    const names = [keys.tenant(tenant).poolRequests(pool), keys.tenant(tenant).poolVersions(), keys.tenant(tenant).poolStamps()];
    const dumps = await Promise.all(names.map((k) => raw.dumpBuffer(k)));
    await expectCurrent(a, pool);
    // a changes the pool twice (its copy moves along), then Redis "restarts" without those writes...
    await put(a, newer(request(100, { quarter: '2027-Q1' }), { days: 8 }));
    await put(a, newer(request(101, { quarter: '2027-Q1' }), { days: 8 }));
    const aVersion = (await a.readPool(tenant, pool)).version;
    for (const [i, k] of names.entries()) await raw.restore(k, 0, dumps[i]!, 'REPLACE');
    // ...and b makes two other changes: the pool is at a's version again, with other requests.
    await put(b, newer(request(102, { quarter: '2027-Q1' }), { days: 0.25 }));
    await put(b, newer(request(103, { quarter: '2027-Q1' }), { days: 0.25 }));
    const got = await expectCurrent(a, pool);
    expect(got.version).toBe(aVersion);
    expect(got.requests.find((r) => r.id === 'id-100')?.days).not.toBe(8);
    expect(got.requests.find((r) => r.id === 'id-102')?.days).toBe(0.25);
  });

  it('sees changes made without stamps (a worker of an earlier version)', async () => {
    const pool = 'CR/2027-Q2';
    for (let n = 200; n < 203; n++) await put(a, request(n, { quarter: '2027-Q2' }));
    await expectCurrent(a, pool);
    const k = keys.tenant(tenant);
    // What the earlier CAS script did: move the request and the version, no stamp.
    await raw.hset(k.poolRequests(pool), 'id-201', JSON.stringify(newer(request(201, { quarter: '2027-Q2' }), { days: 7 })));
    await raw.hincrby(k.poolVersions(), pool, 1);
    expect((await expectCurrent(a, pool)).requests.find((r) => r.id === 'id-201')?.days).toBe(7);
    // A pool with no stamp at all (last written before stamps) is read every time.
    await raw.hdel(k.poolStamps(), pool);
    const misses = a.poolCacheStats().misses;
    await expectCurrent(a, pool);
    await expectCurrent(a, pool);
    expect(a.poolCacheStats().misses).toBe(misses + 2);
  });

  /** The stored outcome put back together from its parts, as the JSON text of the whole outcome. */
  async function storedOutcomeText(poolId: string): Promise<string | null> {
    const parts = await raw.hgetall(keys.tenant(tenant).poolOutcomeParts(poolId));
    if (Object.keys(parts).length === 0) return null;
    const n = Number(parts.n);
    const indices = Object.keys(parts).filter((f) => f !== 'h' && f !== 'n');
    expect(indices.sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({ length: n }, (_, i) => String(i)));
    const texts = Array.from({ length: n }, (_, i) => parts[String(i)]!);
    return parts.h!.replace('"entries":[]', `"entries":[${texts.join(',')}]`);
  }

  it('stores every outcome exactly as JSON.stringify writes it, also when it reuses the text of unchanged entries', async () => {
    const pool = 'CR/2027-Q3';
    for (let n = 500; n < 530; n++) await put(a, request(n, { quarter: '2027-Q3', days: n % 3 === 0 ? null : 1 + (n % 4) }));
    const changes: Array<Partial<PoolRequest>> = [{}, { days: 4 }, { committed: true }, { rank: null }, { days: 0.5 }, { days: null }];
    for (const [i, change] of changes.entries()) {
      if (i > 0) await put(a, newer(request(500 + i * 3, { quarter: '2027-Q3' }), change));
      if (i === 4) await remove(a, 'id-529'); // one entry fewer: the last index goes
      const snap = await a.readPool(tenant, pool);
      const outcome = admitRequests({ limitDays: 30 + i, warnAtPercent: 80 }, snap.requests, snap.outcome?.outcome);
      const now = new Date(Date.UTC(2026, 10, 1, 0, i));
      expect(await a.commitOutcome(tenant, pool, snap.version, outcome, now)).toBe(true);
      expect(await storedOutcomeText(pool)).toBe(JSON.stringify({ version: snap.version, computedAt: now.toISOString(), outcome }));
      expect((await reference.readPool(tenant, pool)).outcome).toEqual({ version: snap.version, computedAt: now.toISOString(), outcome });
    }
  });

  it('writes only the entries that changed, and the whole outcome when another process stored one since', async () => {
    const pool = 'CR/2027-Q4';
    for (let n = 800; n < 840; n++) await put(a, request(n, { quarter: '2027-Q4' }));
    const partsKey = keys.tenant(tenant).poolOutcomeParts(pool);
    const admit = (snap: PoolSnapshot, limitDays: number) => admitRequests({ limitDays, warnAtPercent: 80 }, snap.requests, snap.outcome?.outcome);
    let snap = await a.readPool(tenant, pool);
    expect(await a.commitOutcome(tenant, pool, snap.version, admit(snap, 1000))).toBe(true);
    // A marker in an entry that does not change: a delta leaves it alone.
    await raw.hset(partsKey, '30', 'marker');
    await put(a, newer(request(805, { quarter: '2027-Q4' }), { days: 2.5 }));
    snap = await a.readPool(tenant, pool);
    const second = admit(snap, 1000);
    expect(await a.commitOutcome(tenant, pool, snap.version, second)).toBe(true);
    expect(await raw.hget(partsKey, '30')).toBe('marker');
    expect(JSON.parse((await raw.hget(partsKey, '5'))!)).toEqual(second.entries[5]);
    await raw.hset(partsKey, '30', JSON.stringify(second.entries[30]));

    // a computes its next outcome; meanwhile b stores one of the same version (another limit, so
    // other states): a's delta would be against an outcome no longer stored, so a writes whole.
    snap = await a.readPool(tenant, pool);
    const fourth = admit(snap, 1000);
    const other = await b.readPool(tenant, pool);
    expect(await b.commitOutcome(tenant, pool, other.version, admit(other, 60))).toBe(true);
    await raw.hset(partsKey, '31', JSON.stringify({ ...second.entries[31], key: 'marker' }));
    expect(await a.commitOutcome(tenant, pool, snap.version, fourth)).toBe(true);
    expect(JSON.parse((await raw.hget(partsKey, '31'))!)).toEqual(fourth.entries[31]);
    expect((await reference.readPool(tenant, pool)).outcome?.outcome).toEqual(fourth);
    expect((await b.readPool(tenant, pool)).outcome?.outcome).toEqual(fourth);
  });

  it('reads an outcome stored whole by an earlier version, and stores the next one in parts', async () => {
    const pool = 'CR/2028-Q1';
    for (let n = 850; n < 860; n++) await put(a, request(n, { quarter: '2028-Q1' }));
    const snap = await reference.readPool(tenant, pool);
    const legacy = { version: snap.version, computedAt: '2026-11-01T00:00:00.000Z', outcome: admitRequests({ limitDays: 20, warnAtPercent: 80 }, snap.requests) };
    const k = keys.tenant(tenant);
    await raw.multi().set(k.poolOutcome(pool), JSON.stringify(legacy)).hset(k.poolOutcomeStamps(), pool, 'legacy-stamp').srem(k.dirtyPools(), pool).exec();
    expect((await a.readPool(tenant, pool)).outcome).toEqual(legacy);
    expect((await reference.readPool(tenant, pool)).outcome).toEqual(legacy);
    const { entries: _entries, ...figures } = legacy.outcome;
    expect(await a.readCommittedFigures(tenant, [pool])).toEqual([{ settings: null, figures }]);
    const next = admitRequests({ limitDays: 5, warnAtPercent: 80 }, snap.requests, legacy.outcome);
    expect(await a.commitOutcome(tenant, pool, snap.version, next)).toBe(true);
    expect(await raw.exists(k.poolOutcome(pool))).toBe(0);
    expect((await reference.readPool(tenant, pool)).outcome?.outcome).toEqual(next);
    expect((await b.readPool(tenant, pool)).outcome?.outcome).toEqual(next);
    expect((await b.readCommittedFigures(tenant, [pool]))[0]?.figures).toMatchObject({ limitDays: 5, usedDays: next.usedDays });
  });

  it('hands out frozen objects, so no caller can change what the next one is served', async () => {
    const snap = await a.readPool(tenant, POOL);
    expect(() => {
      (snap.requests[0] as { days: number | null }).days = 99;
    }).toThrow(TypeError);
    expect(Object.isFrozen(snap.outcome?.outcome.entries[0])).toBe(true);
    // The array itself is the caller's own.
    snap.requests.pop();
    expect((await a.readPool(tenant, POOL)).requests.length).toBe(snap.requests.length + 1);
  });

  it('stays within its bound, evicting the least recently used pools', async () => {
    const small = new LedgerStore({ redis: connect(), keys, poolCacheWeight: 60, poolCacheMinRequests: 0 });
    const pools = ['2028-Q1', '2028-Q2', '2028-Q3', '2028-Q4'];
    for (const [p, quarter] of pools.entries()) {
      for (let n = 0; n < 20; n++) await put(small, request(300 + p * 20 + n, { quarter }));
    }
    for (const quarter of pools) {
      await expectCurrent(small, poolIdOf({ scope: 'CR', quarter }));
      expect(small.poolCacheStats().weight).toBeLessThanOrEqual(60);
    }
    const stats = small.poolCacheStats();
    expect(stats.pools).toBe(2);
    expect(stats.evicted).toBeGreaterThanOrEqual(2);
    // The most recent pool is still served from the cache; an evicted one is read again.
    const hits = stats.hits;
    await expectCurrent(small, 'CR/2028-Q4');
    expect(small.poolCacheStats().hits).toBe(hits + 1);
    await expectCurrent(small, 'CR/2028-Q1');
    expect(small.poolCacheStats().hits).toBe(hits + 1);
    // A pool bigger than the whole bound is not kept at all.
    for (let n = 0; n < 70; n++) await put(small, request(400 + n, { quarter: '2029-Q1' }));
    await expectCurrent(small, 'CR/2029-Q1');
    expect(small.poolCacheStats().weight).toBeLessThanOrEqual(60);
  });

  it(`by default leaves pools under ${DEFAULT_POOL_CACHE_MIN_REQUESTS} requests out, and takes in bigger ones`, async () => {
    const store = new LedgerStore({ redis: connect(), keys });
    for (let n = 0; n < DEFAULT_POOL_CACHE_MIN_REQUESTS - 1; n++) await put(store, request(600 + n, { quarter: '2029-Q2' }));
    await expectCurrent(store, 'CR/2029-Q2');
    await expectCurrent(store, 'CR/2029-Q2');
    expect(store.poolCacheStats()).toMatchObject({ pools: 0, hits: 0, misses: 2 });
    await put(store, request(699, { quarter: '2029-Q2' }));
    await expectCurrent(store, 'CR/2029-Q2');
    await expectCurrent(store, 'CR/2029-Q2');
    expect(store.poolCacheStats()).toMatchObject({ pools: 1, hits: 1, misses: 3 });
  });

  it('two processes changing, committing and reading two pools in any order always read what Redis has', async () => {
    const quarters = ['2030-Q1', '2030-Q2'] as const;
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), who: fc.constantFrom(0, 1), n: fc.integer({ min: 0, max: 5 }), q: fc.constantFrom(0, 1), days: fc.constantFrom(null, 1, 2, 3) }),
      fc.record({ kind: fc.constant('delete' as const), who: fc.constantFrom(0, 1), n: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ kind: fc.constant('settings' as const), who: fc.constantFrom(0, 1), q: fc.constantFrom(0, 1), limit: fc.constantFrom(3, 10) }),
      fc.record({ kind: fc.constant('commit' as const), who: fc.constantFrom(0, 1), q: fc.constantFrom(0, 1) }),
      fc.record({ kind: fc.constant('read' as const), who: fc.constantFrom(0, 1), q: fc.constantFrom(0, 1) }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
        run++;
        const scope = `P${run}`;
        const ks = createKeySpace(uniquePrefix('pool-cache-model'));
        const own = [connectTestRedis(), connectTestRedis(), connectTestRedis()] as const;
        // The second process has room for one pool only: it evicts as it goes.
        const stores = [new LedgerStore({ redis: own[0], keys: ks, poolCacheMinRequests: 0 }), new LedgerStore({ redis: own[1], keys: ks, poolCacheWeight: 30, poolCacheMinRequests: 0 })];
        const truth = new LedgerStore({ redis: own[2], keys: ks, poolCacheWeight: 0 });
        const poolOf = (q: 0 | 1) => `${scope}/${quarters[q]}`;
        const check = async (who: number, q: 0 | 1) => {
          const got = await stores[who]!.readPool(tenant, poolOf(q));
          expect(content(got)).toEqual(content(await truth.readPool(tenant, poolOf(q))));
          return got;
        };
        try {
          // Both start with both pools cached.
          for (const who of [0, 1]) for (const q of [0, 1] as const) await check(who, q);
          for (const o of ops) {
            const store = stores[o.who]!;
            if (o.kind === 'put') {
              clock += 1000;
              const r = { ...request(o.n, { scope, quarter: quarters[o.q], days: o.days }), key: `${scope}-${o.n}`, id: `${scope}-id-${o.n}`, updatedAt: new Date(clock).toISOString() };
              await store.applyTicketChange(tenant, r.id, { kind: 'upsert', updatedAt: r.updatedAt, request: r }, { key: r.key, excluded: null });
            } else if (o.kind === 'delete') {
              clock += 1000;
              await store.applyTicketChange(tenant, `${scope}-id-${o.n}`, { kind: 'delete', at: new Date(clock).toISOString() }, { key: null, excluded: null });
            } else if (o.kind === 'settings') {
              await store.setPoolSettings(tenant, poolOf(o.q), { limitDays: o.limit, warnAtPercent: 80 });
            } else if (o.kind === 'commit') {
              const snap = await check(o.who, o.q);
              const settings = snap.settings ?? { limitDays: null, warnAtPercent: 80 };
              await store.commitOutcome(tenant, poolOf(o.q), snap.version, admitRequests({ limitDays: settings.limitDays, warnAtPercent: settings.warnAtPercent }, snap.requests));
            } else {
              await check(o.who, o.q);
            }
          }
          for (const who of [0, 1]) for (const q of [0, 1] as const) await check(who, q);
        } finally {
          const names = await raw.keys(`${ks.prefix}:*`);
          if (names.length > 0) await raw.del(...names);
          await Promise.all(own.map((c) => c.quit()));
        }
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
