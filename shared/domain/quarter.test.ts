import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  compareQuarters,
  isQuarterId,
  nextQuarter,
  parseQuarterId,
  previousQuarter,
  quarterEndDate,
  quarterOf,
  quarterRange,
  quarterStartDate,
} from './quarter.js';

describe('quarterOf', () => {
  it('uses calendar quarters by default', () => {
    expect(quarterOf('2026-01-01')).toBe('2026-Q1');
    expect(quarterOf('2026-03-31')).toBe('2026-Q1');
    expect(quarterOf('2026-04-01')).toBe('2026-Q2');
    expect(quarterOf('2026-09-30')).toBe('2026-Q3');
    expect(quarterOf('2026-10-01')).toBe('2026-Q4');
    expect(quarterOf('2026-12-31')).toBe('2026-Q4');
  });

  it('names a fiscal year by the calendar year it ends in', () => {
    expect(quarterOf('2026-10-05', 10)).toBe('2027-Q1');
    expect(quarterOf('2026-09-30', 10)).toBe('2026-Q4');
    expect(quarterOf('2027-01-01', 10)).toBe('2027-Q2');
    expect(quarterOf('2026-04-01', 4)).toBe('2027-Q1');
    expect(quarterOf('2026-03-31', 4)).toBe('2026-Q4');
    expect(quarterOf('2026-07-01', 4)).toBe('2027-Q2');
    expect(quarterOf('2026-12-01', 12)).toBe('2027-Q1');
    expect(quarterOf('2026-11-30', 12)).toBe('2026-Q4');
    expect(quarterOf('2026-02-01', 2)).toBe('2027-Q1');
    expect(quarterOf('2026-01-31', 2)).toBe('2026-Q4');
  });

  it('takes the UTC calendar date of an instant', () => {
    expect(quarterOf('2026-12-31T23:30:00-01:00')).toBe('2027-Q1');
    expect(quarterOf('2026-10-01T00:30:00+02:00')).toBe('2026-Q3');
    expect(quarterOf('2026-10-01T00:30:00.000+0200')).toBe('2026-Q3');
    expect(quarterOf('2026-09-30T23:59:59.999Z', 10)).toBe('2026-Q4');
    expect(quarterOf('2026-10-01T00:00:00Z', 10)).toBe('2027-Q1');
  });

  it.each([
    '',
    'yesterday',
    '2026-1-5',
    '2026-02-30',
    '2026-13-01',
    '2026-00-10',
    '2026-01-05T10:00:00',
    '2026-01-05T24:00:00Z',
    '2026-01-05 10:00:00Z',
    '2026-02-29T00:00:00Z',
  ])('throws on the malformed date %j', (date) => {
    expect(() => quarterOf(date)).toThrow(/Invalid date/);
  });

  it('accepts February 29 in a leap year', () => {
    expect(quarterOf('2028-02-29')).toBe('2028-Q1');
    expect(quarterOf('2000-02-29T12:00:00Z')).toBe('2000-Q1');
  });

  it.each([0, 13, 1.5, Number.NaN])('throws on fiscal year start month %p', (month) => {
    expect(() => quarterOf('2026-01-01', month)).toThrow(/fiscalYearStartMonth/);
  });
});

describe('quarter ids', () => {
  it('parses strictly', () => {
    expect(parseQuarterId('2026-Q4')).toEqual({ year: 2026, quarter: 4 });
    for (const bad of ['2026-Q5', '2026-Q0', '2026-q4', '26-Q4', '2026Q4', ' 2026-Q4', '2026-Q4 ', '12026-Q1']) {
      expect(parseQuarterId(bad)).toBeNull();
      expect(isQuarterId(bad)).toBe(false);
    }
    expect(isQuarterId('0001-Q1')).toBe(true);
  });

  it('steps across years', () => {
    expect(nextQuarter('2026-Q4')).toBe('2027-Q1');
    expect(nextQuarter('2026-Q1', 5)).toBe('2027-Q2');
    expect(nextQuarter('2026-Q1', 0)).toBe('2026-Q1');
    expect(nextQuarter('2026-Q1', -1)).toBe('2025-Q4');
    expect(previousQuarter('2026-Q1')).toBe('2025-Q4');
    expect(previousQuarter('2026-Q3', 6)).toBe('2025-Q1');
  });

  it('refuses to step out of four-digit years or by fractions', () => {
    expect(() => nextQuarter('9999-Q4')).toThrow(RangeError);
    expect(() => previousQuarter('0000-Q1')).toThrow(RangeError);
    expect(() => nextQuarter('2026-Q1', 0.5)).toThrow(RangeError);
    expect(() => nextQuarter('2026-Q5')).toThrow(/Invalid quarter id/);
  });

  it('lists a range inclusively, empty when reversed', () => {
    expect(quarterRange('2026-Q3', '2027-Q2')).toEqual(['2026-Q3', '2026-Q4', '2027-Q1', '2027-Q2']);
    expect(quarterRange('2026-Q3', '2026-Q3')).toEqual(['2026-Q3']);
    expect(quarterRange('2027-Q1', '2026-Q4')).toEqual([]);
  });

  it('compares by time, not by text', () => {
    expect(compareQuarters('2026-Q4', '2027-Q1')).toBeLessThan(0);
    expect(compareQuarters('2027-Q1', '2026-Q4')).toBeGreaterThan(0);
    expect(compareQuarters('2026-Q2', '2026-Q2')).toBe(0);
    expect(() => compareQuarters('2026-Q2', 'nope')).toThrow(/Invalid quarter id/);
  });
});

describe('quarter dates', () => {
  it('gives calendar quarter bounds', () => {
    expect(quarterStartDate('2026-Q1')).toBe('2026-01-01');
    expect(quarterEndDate('2026-Q1')).toBe('2026-03-31');
    expect(quarterStartDate('2026-Q4')).toBe('2026-10-01');
    expect(quarterEndDate('2026-Q4')).toBe('2026-12-31');
    expect(quarterEndDate('2028-Q1')).toBe('2028-03-31');
  });

  it('gives fiscal quarter bounds in the year before for early quarters', () => {
    expect(quarterStartDate('2027-Q1', 10)).toBe('2026-10-01');
    expect(quarterEndDate('2027-Q1', 10)).toBe('2026-12-31');
    expect(quarterStartDate('2027-Q2', 10)).toBe('2027-01-01');
    expect(quarterEndDate('2026-Q4', 10)).toBe('2026-09-30');
    expect(quarterStartDate('2027-Q1', 4)).toBe('2026-04-01');
    expect(quarterEndDate('2027-Q4', 4)).toBe('2027-03-31');
    expect(quarterEndDate('2028-Q4', 12)).toBe('2028-11-30');
    expect(quarterEndDate('2028-Q4', 2)).toBe('2028-01-31');
    expect(quarterEndDate('2024-Q1', 12)).toBe('2024-02-29');
  });
});

const startMonth = fc.integer({ min: 1, max: 12 });
const calendarDay = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const quarterId = fc
  .tuple(fc.integer({ min: 1901, max: 2199 }), fc.integer({ min: 1, max: 4 }))
  .map(([y, q]) => `${y}-Q${q}`);

function dayAfter(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

describe('quarter properties', () => {
  it('every date lies between the bounds of its quarter', () => {
    fc.assert(
      fc.property(calendarDay, startMonth, (date, month) => {
        const q = quarterOf(date, month);
        expect(quarterStartDate(q, month) <= date).toBe(true);
        expect(date <= quarterEndDate(q, month)).toBe(true);
      }),
    );
  });

  it('quarters tile time: the day after a quarter ends starts the next one', () => {
    fc.assert(
      fc.property(quarterId, startMonth, (q, month) => {
        expect(quarterOf(quarterStartDate(q, month), month)).toBe(q);
        expect(quarterOf(quarterEndDate(q, month), month)).toBe(q);
        expect(dayAfter(quarterEndDate(q, month))).toBe(quarterStartDate(nextQuarter(q), month));
      }),
    );
  });

  it('an instant falls in the quarter of its UTC date', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-02T00:00:00Z'), max: new Date('2200-12-30T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        startMonth,
        (instant, offsetMinutes, month) => {
          const local = new Date(instant.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 19);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetMinutes);
          const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          expect(quarterOf(`${local}${offset}`, month)).toBe(quarterOf(instant.toISOString().slice(0, 10), month));
        },
      ),
    );
  });

  it('next and previous are inverse and agree with compare and range', () => {
    fc.assert(
      fc.property(quarterId, fc.integer({ min: -40, max: 40 }), (q, n) => {
        const moved = nextQuarter(q, n);
        expect(previousQuarter(moved, n)).toBe(q);
        expect(compareQuarters(moved, q)).toBe(Math.sign(n));
        const range = n >= 0 ? quarterRange(q, moved) : quarterRange(moved, q);
        expect(range).toHaveLength(Math.abs(n) + 1);
        expect(quarterRange(q, moved)).toHaveLength(n >= 0 ? n + 1 : 0);
      }),
    );
  });
});
