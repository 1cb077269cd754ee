import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { admitRequests, type PoolSettings } from './admission.js';
import { formatDays, formatNumber } from './format-days.js';
import type { PoolRequest } from './pool-request.js';
import type { Badge } from './pool-state.js';
import { badgeOf, badgeSubtitle, viewTicketInPool } from './ticket-view.js';
import { limitArb, poolRequestsArb, request } from './__tests__/fixtures.js';

const settings: PoolSettings = { limitDays: 10, warnAtPercent: 80 };
const A = request({ key: 'A', days: 3, rank: 9, committed: true });
const B = request({ key: 'B', days: 4, rank: 1 });
const C = request({ key: 'C', days: 2, rank: 2 });
const D = request({ key: 'D', days: 5, rank: 3 });
const E = request({ key: 'E', days: 1, rank: 4 });
const U = request({ key: 'U', days: null, rank: 5 });
const pool = [A, B, C, D, E, U];
const outcome = admitRequests(settings, pool);

describe('viewTicketInPool', () => {
  it('tells a waiting request how small it must be and whom it must outrank', () => {
    const next = { quarter: '2027-Q1', freeDays: 6 };
    expect(viewTicketInPool(outcome, D, next)).toEqual({
      key: 'D',
      scope: 'ENG',
      quarter: '2026-Q4',
      state: 'over-limit',
      standing: 'waiting',
      days: 5,
      rank: 4,
      poolSize: 6,
      usedDays: 9,
      limitDays: 10,
      warnAtPercent: 80,
      freeDays: 1,
      overdrawn: false,
      fitsIfAtMostDays: 1,
      lastAdmittedAboveKey: 'C',
      nextQuarterWithRoom: next,
    });
  });

  it('gives no shrink room behind another waiting request (nothing skips ahead)', () => {
    expect(viewTicketInPool(outcome, E)).toMatchObject({ standing: 'waiting', fitsIfAtMostDays: 0, lastAdmittedAboveKey: 'C', nextQuarterWithRoom: null });
  });

  it('has no shrink target for requests that are not waiting', () => {
    expect(viewTicketInPool(outcome, A)).toMatchObject({ standing: 'committed', fitsIfAtMostDays: null, lastAdmittedAboveKey: null });
    expect(viewTicketInPool(outcome, B)).toMatchObject({ standing: 'admitted', fitsIfAtMostDays: null, lastAdmittedAboveKey: null });
    expect(viewTicketInPool(outcome, C)).toMatchObject({ standing: 'admitted', fitsIfAtMostDays: null, lastAdmittedAboveKey: 'B' });
    expect(viewTicketInPool(outcome, U)).toMatchObject({ standing: 'unsized', state: 'needs-estimate', fitsIfAtMostDays: null });
  });

  it('throws for a request that is not in the outcome', () => {
    expect(() => viewTicketInPool(outcome, request({ key: 'ELSEWHERE' }))).toThrow(/ELSEWHERE is not in the pool outcome/);
  });
});

describe('badgeOf and badgeSubtitle', () => {
  it('copies the badge fields', () => {
    expect(badgeOf(viewTicketInPool(outcome, C))).toEqual({
      quarter: '2026-Q4',
      scope: 'ENG',
      state: 'near-limit',
      usedDays: 9,
      limitDays: 10,
      days: 2,
      rank: 3,
    } satisfies Badge);
  });

  it('writes one short line per state', () => {
    expect(badgeSubtitle(viewTicketInPool(outcome, C))).toBe('2026-Q4 · 9 of 10 days · near limit · rank 3');
    expect(badgeSubtitle(viewTicketInPool(outcome, D))).toBe('2026-Q4 · 9 of 10 days · over limit · rank 4');
    expect(badgeSubtitle(viewTicketInPool(outcome, U))).toBe('2026-Q4 · needs an estimate · rank 6');
    const roomy = admitRequests({ limitDays: 20, warnAtPercent: 80 }, pool);
    expect(badgeSubtitle(viewTicketInPool(roomy, B))).toBe('2026-Q4 · 15 of 20 days · within limit · rank 2');
    const open = admitRequests({ limitDays: null, warnAtPercent: 80 }, [request({ key: 'N', days: 5 })]);
    expect(badgeSubtitle(viewTicketInPool(open, request({ key: 'N' })))).toBe('2026-Q4 · no pool set · 5 days');
    const half = admitRequests({ limitDays: 1, warnAtPercent: 80 }, [request({ key: 'H', days: 0.5 })]);
    expect(badgeSubtitle(viewTicketInPool(half, request({ key: 'H' })))).toBe('2026-Q4 · 0.5 of 1 day · within limit · rank 1');
  });

  it('says overdrawn for counted work in an overdrawn pool', () => {
    const over = admitRequests({ limitDays: 10, warnAtPercent: 80 }, [request({ key: 'P', days: 12, committed: true }), request({ key: 'W', days: 1 })]);
    expect(badgeSubtitle(viewTicketInPool(over, request({ key: 'P' })))).toBe('2026-Q4 · 12 of 10 days · overdrawn · rank 1');
    expect(badgeSubtitle(viewTicketInPool(over, request({ key: 'W' })))).toBe('2026-Q4 · 12 of 10 days · over limit · rank 2');
  });
});

describe('formatDays', () => {
  it('drops trailing zeros and uses the singular for exactly one', () => {
    expect(formatDays(1)).toBe('1 day');
    expect(formatDays(2.5)).toBe('2.5 days');
    expect(formatDays(0)).toBe('0 days');
    expect(formatDays(0.1 + 0.2)).toBe('0.3 days');
    expect(formatNumber(10)).toBe('10');
    expect(formatNumber(-0)).toBe('0');
  });
});

const poolArb = fc.record({ limitDays: limitArb, warnAtPercent: fc.integer({ min: 1, max: 100 }), requests: poolRequestsArb() });

function withDays(requests: readonly PoolRequest[], key: string, days: number): PoolRequest[] {
  return requests.map((r) => (r.key === key ? { ...r, days } : r));
}

describe('ticket view (properties)', () => {
  it('a waiting request shrunk to fitsIfAtMostDays is admitted; a thousandth more still waits', () => {
    fc.assert(
      fc.property(poolArb, ({ limitDays, warnAtPercent, requests }) => {
        const settingsOf = { limitDays, warnAtPercent };
        const out = admitRequests(settingsOf, requests);
        for (const r of requests) {
          const view = viewTicketInPool(out, r);
          if (view.standing !== 'waiting') {
            expect(view.fitsIfAtMostDays).toBeNull();
            continue;
          }
          const fits = view.fitsIfAtMostDays ?? Number.NaN;
          const standingWith = (days: number) => admitRequests(settingsOf, withDays(requests, r.key, days)).entries.find((e) => e.key === r.key)?.standing;
          if (fits > 0) expect(standingWith(fits)).toBe('admitted');
          expect(standingWith(fits + 0.001)).toBe('waiting');
        }
      }),
    );
  });

  it('lastAdmittedAboveKey is the nearest admitted not-committed request above', () => {
    fc.assert(
      fc.property(poolArb, ({ limitDays, warnAtPercent, requests }) => {
        const out = admitRequests({ limitDays, warnAtPercent }, requests);
        for (const r of requests) {
          const view = viewTicketInPool(out, r);
          const between = out.entries.filter((e) => e.rank < view.rank && e.standing === 'admitted');
          expect(view.lastAdmittedAboveKey).toBe(between.at(-1)?.key ?? null);
          expect(view.poolSize).toBe(requests.length);
        }
      }),
    );
  });

  it('a badge gives the same subtitle as the view it came from', () => {
    fc.assert(
      fc.property(poolArb, ({ limitDays, warnAtPercent, requests }) => {
        const out = admitRequests({ limitDays, warnAtPercent }, requests);
        for (const r of requests) {
          const view = viewTicketInPool(out, r);
          expect(badgeSubtitle(badgeOf(view))).toBe(badgeSubtitle(view));
          expect(badgeSubtitle(view)).not.toMatch(/NaN|undefined|null|\d\.\d{4}/);
        }
      }),
    );
  });
});
