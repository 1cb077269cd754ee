import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { roundDays, sizeInDays, toThousandths } from './sizing.js';

const rules = { hoursPerDay: 8, daysPerPoint: 0.5 };

describe('sizeInDays', () => {
  it('turns an original estimate into days of hoursPerDay', () => {
    expect(sizeInDays({ seconds: 8 * 3600, points: null }, rules)).toBe(1);
    expect(sizeInDays({ seconds: 20 * 3600, points: null }, rules)).toBe(2.5);
    expect(sizeInDays({ seconds: 3600, points: null }, rules)).toBe(0.125);
    expect(sizeInDays({ seconds: 1200, points: null }, rules)).toBe(0.042); // 0.041666…
    expect(sizeInDays({ seconds: 6 * 3600, points: null }, { hoursPerDay: 6, daysPerPoint: 1 })).toBe(1);
  });

  it('prefers the original estimate over points', () => {
    expect(sizeInDays({ seconds: 16 * 3600, points: 5 }, rules)).toBe(2);
  });

  it('falls back to points when there is no positive time estimate', () => {
    expect(sizeInDays({ seconds: null, points: 5 }, rules)).toBe(2.5);
    expect(sizeInDays({ seconds: 0, points: 3 }, rules)).toBe(1.5);
    expect(sizeInDays({ seconds: -60, points: 3 }, rules)).toBe(1.5);
  });

  it('counts zero points as a sized 0-day request', () => {
    expect(sizeInDays({ seconds: null, points: 0 }, rules)).toBe(0);
  });

  it('is null without a usable estimate', () => {
    expect(sizeInDays({ seconds: null, points: null }, rules)).toBeNull();
    expect(sizeInDays({ seconds: 0, points: null }, rules)).toBeNull();
    expect(sizeInDays({ seconds: null, points: -1 }, rules)).toBeNull();
    expect(sizeInDays({ seconds: Number.NaN, points: Number.POSITIVE_INFINITY }, rules)).toBeNull();
  });

  it('rejects impossible rules instead of dividing by zero', () => {
    expect(() => sizeInDays({ seconds: 3600, points: null }, { hoursPerDay: 0, daysPerPoint: 1 })).toThrow(/hoursPerDay/);
    expect(() => sizeInDays({ seconds: null, points: 1 }, { hoursPerDay: 8, daysPerPoint: -1 })).toThrow(/daysPerPoint/);
  });
});

describe('roundDays', () => {
  it('rounds to 3 decimals, halves away from zero', () => {
    expect(roundDays(1 / 3)).toBe(0.333);
    expect(roundDays(2 / 3)).toBe(0.667);
    expect(roundDays(1.0005)).toBe(1.001);
    expect(roundDays(1.0004999)).toBe(1);
    expect(roundDays(-1.0005)).toBe(-1.001);
    expect(roundDays(0.1 + 0.2)).toBe(0.3);
    expect(Object.is(roundDays(-0.0001), 0)).toBe(true);
  });

  it('is idempotent and stays within half a thousandth', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (n) => {
        const r = roundDays(n);
        expect(roundDays(r)).toBe(r);
        expect(Math.abs(r - n)).toBeLessThanOrEqual(0.0005 + 1e-9);
        expect(Number.isInteger(toThousandths(r))).toBe(true);
      }),
    );
  });
});
