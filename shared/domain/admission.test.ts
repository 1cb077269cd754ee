import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { admitRequests, compareAdmissionOrder, type AdmissionEntry, type PoolOutcome } from './admission.js';
import type { PoolRequest } from './pool-request.js';
import { roundDays } from './sizing.js';
import { limitArb, poolRequestsArb, request } from './__tests__/fixtures.js';

function byKey(outcome: PoolOutcome): Record<string, Pick<AdmissionEntry, 'rank' | 'standing' | 'state'>> {
  return Object.fromEntries(outcome.entries.map((e) => [e.key, { rank: e.rank, standing: e.standing, state: e.state }]));
}

describe('admitRequests', () => {
  it('charges committed work first, then admits by rank until one does not fit; nothing skips ahead', () => {
    const outcome = admitRequests({ limitDays: 10, warnAtPercent: 80 }, [
      request({ key: 'E', days: 1, rank: 4 }),
      request({ key: 'C', days: 2, rank: 2 }),
      request({ key: 'A', days: 3, rank: 9, committed: true }),
      request({ key: 'D', days: 5, rank: 3 }),
      request({ key: 'B', days: 4, rank: 1 }),
    ]);
    expect(byKey(outcome)).toEqual({
      A: { rank: 1, standing: 'committed', state: 'near-limit' },
      B: { rank: 2, standing: 'admitted', state: 'near-limit' },
      C: { rank: 3, standing: 'admitted', state: 'near-limit' },
      D: { rank: 4, standing: 'waiting', state: 'over-limit' },
      E: { rank: 5, standing: 'waiting', state: 'over-limit' }, // 1 day would fit, but D ranks higher
    });
    expect(outcome.entries.map((e) => e.key)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(outcome).toMatchObject({ usedDays: 9, committedDays: 3, freeDays: 1, overdrawn: false, nearLimit: true, limitDays: 10, warnAtPercent: 80 });
  });

  it('says ok below the warn threshold and near-limit from it on', () => {
    const under = admitRequests({ limitDays: 10, warnAtPercent: 80 }, [request({ days: 7.999 })]);
    expect(under).toMatchObject({ nearLimit: false, entries: [{ standing: 'admitted', state: 'ok' }] });
    const at = admitRequests({ limitDays: 10, warnAtPercent: 80 }, [request({ days: 8 })]);
    expect(at).toMatchObject({ nearLimit: true, entries: [{ standing: 'admitted', state: 'near-limit' }] });
  });

  it('admits an exact fit and counts in thousandths, without float drift', () => {
    // 0.1 + 0.2 > 0.3 in floating point.
    const outcome = admitRequests({ limitDays: 0.3, warnAtPercent: 100 }, [request({ days: 0.1, rank: 1 }), request({ days: 0.2, rank: 2 })]);
    expect(outcome.entries.map((e) => e.standing)).toEqual(['admitted', 'admitted']);
    expect(outcome.usedDays).toBe(0.3);
    expect(outcome.freeDays).toBe(0);
    expect(outcome.entries.map((e) => e.state)).toEqual(['near-limit', 'near-limit']);
  });

  it('shows unsized requests as needing an estimate; they neither take room nor block', () => {
    const outcome = admitRequests({ limitDays: 5, warnAtPercent: 80 }, [
      request({ key: 'U', days: null, rank: 1 }),
      request({ key: 'CU', days: null, rank: 2, committed: true }),
      request({ key: 'S', days: 5, rank: 3 }),
    ]);
    expect(byKey(outcome)).toEqual({
      CU: { rank: 1, standing: 'unsized', state: 'needs-estimate' },
      U: { rank: 2, standing: 'unsized', state: 'needs-estimate' },
      S: { rank: 3, standing: 'admitted', state: 'near-limit' },
    });
    expect(outcome).toMatchObject({ usedDays: 5, committedDays: 0 });
  });

  it('flags an overdrawn pool when committed work alone exceeds the limit', () => {
    const outcome = admitRequests({ limitDays: 5, warnAtPercent: 80 }, [
      request({ key: 'P', days: 4, committed: true, rank: 1 }),
      request({ key: 'Q', days: 3, committed: true, rank: 2 }),
      request({ key: 'R', days: 2, rank: 3 }),
      request({ key: 'Z', days: 0, rank: 4 }),
    ]);
    expect(outcome).toMatchObject({ overdrawn: true, nearLimit: true, usedDays: 7, committedDays: 7, freeDays: 0 });
    expect(byKey(outcome)).toEqual({
      P: { rank: 1, standing: 'committed', state: 'near-limit' },
      Q: { rank: 2, standing: 'committed', state: 'near-limit' },
      R: { rank: 3, standing: 'waiting', state: 'over-limit' },
      Z: { rank: 4, standing: 'waiting', state: 'over-limit' },
    });
  });

  it('marks committed work near-limit when overdrawn even under a 100% threshold', () => {
    const outcome = admitRequests({ limitDays: 1, warnAtPercent: 100 }, [request({ days: 2, committed: true })]);
    expect(outcome.entries[0]?.state).toBe('near-limit');
  });

  it('admits everything sized when no limit is set, and says so', () => {
    const outcome = admitRequests({ limitDays: null, warnAtPercent: 80 }, [
      request({ key: 'A', days: 100, committed: true }),
      request({ key: 'B', days: 50, rank: 1 }),
      request({ key: 'C', days: null, rank: 2 }),
    ]);
    expect(byKey(outcome)).toEqual({
      A: { rank: 1, standing: 'committed', state: 'no-limit' },
      B: { rank: 2, standing: 'admitted', state: 'no-limit' },
      C: { rank: 3, standing: 'unsized', state: 'needs-estimate' },
    });
    expect(outcome).toMatchObject({ usedDays: 150, committedDays: 100, freeDays: null, nearLimit: false, overdrawn: false });
  });

  it('handles a zero limit: only 0-day requests fit', () => {
    const outcome = admitRequests({ limitDays: 0, warnAtPercent: 80 }, [request({ key: 'Z', days: 0, rank: 1 }), request({ key: 'O', days: 1, rank: 2 })]);
    expect(byKey(outcome)).toMatchObject({ Z: { standing: 'admitted' }, O: { standing: 'waiting' } });
    expect(outcome).toMatchObject({ usedDays: 0, freeDays: 0, overdrawn: false });
  });

  it('returns an empty outcome for an empty pool', () => {
    expect(admitRequests({ limitDays: 10, warnAtPercent: 80 }, [])).toEqual({
      limitDays: 10,
      warnAtPercent: 80,
      usedDays: 0,
      committedDays: 0,
      overdrawn: false,
      nearLimit: false,
      freeDays: 10,
      entries: [],
    });
  });

  it('rejects inputs that can only come from a bug', () => {
    const ok = { limitDays: 10, warnAtPercent: 80 };
    expect(() => admitRequests({ limitDays: -1, warnAtPercent: 80 }, [])).toThrow(/limitDays/);
    expect(() => admitRequests({ limitDays: Number.NaN, warnAtPercent: 80 }, [])).toThrow(/limitDays/);
    expect(() => admitRequests(ok, [request({ key: 'X' }), request({ key: 'X' })])).toThrow(/X appears twice/);
    expect(() => admitRequests(ok, [request({ days: -2 })])).toThrow(/invalid days/);
  });
});

describe('compareAdmissionOrder', () => {
  const sorted = (...reqs: PoolRequest[]): string[] => [...reqs].sort(compareAdmissionOrder).map((r) => r.key);

  it('puts committed work first whatever its rank', () => {
    expect(sorted(request({ key: 'n', rank: 1 }), request({ key: 'c', rank: 99, committed: true }))).toEqual(['c', 'n']);
  });

  it('orders string ranks by code unit, not by locale', () => {
    expect(sorted(request({ key: 'lower', rank: 'a' }), request({ key: 'upper', rank: 'B' }))).toEqual(['upper', 'lower']);
    expect(sorted(request({ key: 'accent', rank: 'é' }), request({ key: 'z', rank: 'z' }))).toEqual(['z', 'accent']);
    expect(sorted(request({ key: 'i', rank: '0|i0000:' }), request({ key: 'h', rank: '0|hzzzzz:' }))).toEqual(['h', 'i']);
  });

  it('orders number ranks numerically and missing ranks last', () => {
    expect(sorted(request({ key: 'ten', rank: 10 }), request({ key: 'none', rank: null }), request({ key: 'nine', rank: 9 }), request({ key: 'neg', rank: -0.5 }))).toEqual([
      'neg',
      'nine',
      'ten',
      'none',
    ]);
  });

  it('breaks rank ties by creation instant, then key', () => {
    const early = request({ key: 'B-2', rank: 1, createdAt: '2026-10-01T10:00:00+02:00' }); // 08:00Z
    const late = request({ key: 'A-1', rank: 1, createdAt: '2026-10-01T09:00:00Z' });
    expect(sorted(late, early)).toEqual(['B-2', 'A-1']);
    const twin = request({ key: 'A-0', rank: 1, createdAt: '2026-10-01T08:00:00.000Z' });
    expect(sorted(early, twin)).toEqual(['A-0', 'B-2']);
  });

  it('is a total order (antisymmetric, transitive, zero only for the same request)', () => {
    fc.assert(
      fc.property(poolRequestsArb(8), (reqs) => {
        for (const a of reqs) {
          expect(compareAdmissionOrder(a, a)).toBe(0);
          for (const b of reqs) {
            if (a !== b) expect(compareAdmissionOrder(a, b)).not.toBe(0);
            expect(Math.sign(compareAdmissionOrder(a, b)) + Math.sign(compareAdmissionOrder(b, a))).toBe(0);
            for (const c of reqs) {
              if (compareAdmissionOrder(a, b) < 0 && compareAdmissionOrder(b, c) < 0) expect(compareAdmissionOrder(a, c)).toBeLessThan(0);
            }
          }
        }
      }),
    );
  });
});

const poolArb = fc.record({ limitDays: limitArb, warnAtPercent: fc.integer({ min: 1, max: 100 }), requests: poolRequestsArb() });

function daysOf(entries: readonly AdmissionEntry[], ...standings: AdmissionEntry['standing'][]): number {
  return roundDays(entries.filter((e) => standings.includes(e.standing)).reduce((sum, e) => sum + (e.days ?? 0), 0));
}

describe('admission (properties)', () => {
  it('committed + admitted never exceeds the limit unless committed alone does', () => {
    fc.assert(
      fc.property(poolArb, ({ limitDays, warnAtPercent, requests }) => {
        const outcome = admitRequests({ limitDays, warnAtPercent }, requests);
        if (limitDays === null) return;
        expect(outcome.overdrawn).toBe(outcome.committedDays > limitDays);
        if (!outcome.overdrawn) expect(outcome.usedDays).toBeLessThanOrEqual(limitDays);
        else expect(outcome.entries.filter((e) => e.standing === 'admitted' && (e.days ?? 0) > 0)).toEqual([]);
      }),
    );
  });

  it('ranks are 1..n in compareAdmissionOrder order, and no waiting request ranks above an admitted one', () => {
    fc.assert(
      fc.property(poolArb, ({ limitDays, warnAtPercent, requests }) => {
        const outcome = admitRequests({ limitDays, warnAtPercent }, requests);
        const byKeyReq = new Map(requests.map((r) => [r.key, r]));
        expect(outcome.entries.map((e) => e.rank)).toEqual(requests.map((_, i) => i + 1));
        outcome.entries.forEach((e, i) => {
          const next = outcome.entries[i + 1];
          if (next) expect(compareAdmissionOrder(byKeyReq.get(e.key)!, byKeyReq.get(next.key)!)).toBeLessThan(0);
        });
        const firstWaiting = outcome.entries.find((e) => e.standing === 'waiting');
        const lastAdmitted = outcome.entries.findLast((e) => e.standing === 'admitted' && !byKeyReq.get(e.key)!.committed);
        if (firstWaiting && lastAdmitted) expect(lastAdmitted.rank).toBeLessThan(firstWaiting.rank);
        const firstNotCommitted = outcome.entries.findIndex((e) => !byKeyReq.get(e.key)!.committed);
        if (firstNotCommitted >= 0) expect(outcome.entries.slice(firstNotCommitted).every((e) => !byKeyReq.get(e.key)!.committed)).toBe(true);
      }),
    );
  });

  it('does not depend on the order requests are given in', () => {
    fc.assert(
      fc.property(
        poolArb.chain((pool) => fc.shuffledSubarray(pool.requests, { minLength: pool.requests.length }).map((shuffled) => ({ ...pool, shuffled }))),
        ({ limitDays, warnAtPercent, requests, shuffled }) => {
          expect(admitRequests({ limitDays, warnAtPercent }, shuffled)).toEqual(admitRequests({ limitDays, warnAtPercent }, requests));
        },
      ),
    );
  });

  it('gives the same outcome with a previous one, reusing exactly the previous entries that are equal at their place', () => {
    fc.assert(
      fc.property(poolArb, poolArb, ({ limitDays, warnAtPercent, requests }, other) => {
        const settings = { limitDays, warnAtPercent };
        // A previous outcome of the same pool (a few requests changed) or of another pool altogether.
        const changed = requests.map((r, i) => (i % 3 === 1 ? { ...r, days: r.days === null ? 1 : r.days + 1 } : r));
        for (const previous of [admitRequests(settings, changed), admitRequests(other, other.requests), null]) {
          const fresh = admitRequests(settings, requests);
          const reused = admitRequests(settings, requests, previous);
          expect(reused).toEqual(fresh);
          reused.entries.forEach((e, i) => {
            const before = previous?.entries[i];
            expect(e === before).toBe(before !== undefined && JSON.stringify(before) === JSON.stringify(e));
          });
        }
      }),
    );
  });

  it('adding a request ranked last never changes the standings of earlier ones', () => {
    fc.assert(
      fc.property(poolArb, fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }), ({ limitDays, warnAtPercent, requests }, days) => {
        const last = request({ key: 'ZZZ-LAST', days, rank: null, createdAt: '2099-01-01T00:00:00.000Z' });
        expect(requests.every((r) => compareAdmissionOrder(r, last) < 0)).toBe(true);
        const before = admitRequests({ limitDays, warnAtPercent }, requests);
        const after = admitRequests({ limitDays, warnAtPercent }, [...requests, last]);
        expect(after.entries.at(-1)?.key).toBe('ZZZ-LAST');
        expect(after.entries.slice(0, -1).map((e) => [e.key, e.standing])).toEqual(before.entries.map((e) => [e.key, e.standing]));
      }),
    );
  });

  it('usedDays is the sum of committed and admitted days; committedDays of committed ones', () => {
    fc.assert(
      fc.property(poolArb, ({ limitDays, warnAtPercent, requests }) => {
        const outcome = admitRequests({ limitDays, warnAtPercent }, requests);
        expect(outcome.usedDays).toBe(daysOf(outcome.entries, 'committed', 'admitted'));
        expect(outcome.committedDays).toBe(daysOf(outcome.entries, 'committed'));
        expect(outcome.freeDays).toBe(limitDays === null ? null : roundDays(Math.max(0, limitDays - outcome.usedDays)));
      }),
    );
  });

  it('a request waits only when it does not fit or a higher-ranked one already waits', () => {
    fc.assert(
      fc.property(poolArb, ({ limitDays, warnAtPercent, requests }) => {
        const outcome = admitRequests({ limitDays, warnAtPercent }, requests);
        const firstWaiting = outcome.entries.find((e) => e.standing === 'waiting');
        if (limitDays === null) expect(firstWaiting).toBeUndefined();
        if (firstWaiting) expect(roundDays(outcome.usedDays + (firstWaiting.days ?? 0))).toBeGreaterThan(limitDays ?? Infinity);
      }),
    );
  });

  it('states follow standings, the limit and the warn threshold', () => {
    fc.assert(
      fc.property(poolArb, ({ limitDays, warnAtPercent, requests }) => {
        const outcome = admitRequests({ limitDays, warnAtPercent }, requests);
        const near = limitDays !== null && outcome.usedDays >= (warnAtPercent / 100) * limitDays - 1e-9;
        expect(outcome.nearLimit).toBe(near);
        for (const e of outcome.entries) {
          const expected =
            e.standing === 'unsized' ? 'needs-estimate'
            : limitDays === null ? 'no-limit'
            : e.standing === 'waiting' ? 'over-limit'
            : near || outcome.overdrawn ? 'near-limit'
            : 'ok';
          expect(e.state).toBe(expected);
          expect(e.days === null).toBe(e.standing === 'unsized');
        }
      }),
    );
  });
});
