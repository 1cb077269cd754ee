/**
 * Quarters: the period a capacity pool covers. A quarter id is `YYYY-Qn` (`2026-Q4`).
 *
 * With `fiscalYearStartMonth = 1` quarters are calendar quarters. Otherwise Q1 starts on the first
 * day of `fiscalYearStartMonth` and a fiscal year is named by the calendar year in which it ends:
 * with start month 10, 2026-10-05 is in `2027-Q1` and 2026-09-30 in `2026-Q4`.
 */
import { daysInMonth, formatCalendarDate, parseCalendarDate, parseInstant, type CalendarDate } from './instant.js';

/** `YYYY-Qn`, e.g. `2026-Q4`. */
export type QuarterId = string;

/** The parts of a quarter id. */
export interface QuarterParts {
  year: number;
  quarter: 1 | 2 | 3 | 4;
}

const QUARTER_ID = /^(\d{4})-Q([1-4])$/;

/** Reads a quarter id strictly (`/^\d{4}-Q[1-4]$/`); null when malformed. */
export function parseQuarterId(id: string): QuarterParts | null {
  const m = QUARTER_ID.exec(id);
  if (!m) return null;
  return { year: Number(m[1]), quarter: Number(m[2]) as QuarterParts['quarter'] };
}

/** True when `id` is a well-formed quarter id. */
export function isQuarterId(id: string): boolean {
  return QUARTER_ID.test(id);
}

/**
 * The quarter a date falls in. `date` is a calendar date `YYYY-MM-DD` (taken as-is) or an ISO-8601
 * instant with an offset (its UTC calendar date is used). Throws on a malformed date.
 */
export function quarterOf(date: string, fiscalYearStartMonth = 1): QuarterId {
  assertStartMonth(fiscalYearStartMonth);
  const { year, month } = calendarDateOf(date);
  const monthsIntoFiscalYear = (month - fiscalYearStartMonth + 12) % 12;
  const quarter = (Math.floor(monthsIntoFiscalYear / 3) + 1) as QuarterParts['quarter'];
  const fiscalYear = fiscalYearStartMonth === 1 || month < fiscalYearStartMonth ? year : year + 1;
  return formatQuarterId({ year: fiscalYear, quarter });
}

/** The quarter `count` quarters after `id` (negative counts go back). */
export function nextQuarter(id: QuarterId, count = 1): QuarterId {
  if (!Number.isInteger(count)) throw new RangeError(`Quarter count must be an integer, got ${count}`);
  return quarterAtIndex(quarterIndex(id) + count);
}

/** The quarter `count` quarters before `id`. */
export function previousQuarter(id: QuarterId, count = 1): QuarterId {
  return nextQuarter(id, -count);
}

/** Every quarter from `from` to `to`, both included, in order; empty when `from` is after `to`. */
export function quarterRange(from: QuarterId, to: QuarterId): QuarterId[] {
  const start = quarterIndex(from);
  const end = quarterIndex(to);
  const out: QuarterId[] = [];
  for (let i = start; i <= end; i++) out.push(quarterAtIndex(i));
  return out;
}

/** Negative when `a` is before `b`, 0 when equal, positive when after. Throws on malformed ids. */
export function compareQuarters(a: QuarterId, b: QuarterId): number {
  return Math.sign(quarterIndex(a) - quarterIndex(b));
}

/** The first day (`YYYY-MM-DD`) of a quarter. */
export function quarterStartDate(id: QuarterId, fiscalYearStartMonth = 1): string {
  return formatCalendarDate({ ...quarterMonth(id, fiscalYearStartMonth, 0), day: 1 });
}

/** The last day (`YYYY-MM-DD`) of a quarter. */
export function quarterEndDate(id: QuarterId, fiscalYearStartMonth = 1): string {
  const { year, month } = quarterMonth(id, fiscalYearStartMonth, 2);
  return formatCalendarDate({ year, month, day: daysInMonth(year, month) });
}

/** Calendar year and month of the `monthInQuarter`-th (0..2) month of a quarter. */
function quarterMonth(id: QuarterId, fiscalYearStartMonth: number, monthInQuarter: number): { year: number; month: number } {
  assertStartMonth(fiscalYearStartMonth);
  const { year, quarter } = requireQuarter(id);
  const fiscalYearStartsIn = fiscalYearStartMonth === 1 ? year : year - 1;
  const monthIndex = fiscalYearStartMonth - 1 + (quarter - 1) * 3 + monthInQuarter;
  return { year: fiscalYearStartsIn + Math.floor(monthIndex / 12), month: (monthIndex % 12) + 1 };
}

function calendarDateOf(date: string): CalendarDate {
  const calendar = parseCalendarDate(date);
  if (calendar) return calendar;
  if (!date.includes('T')) {
    throw new Error(`Invalid date ${JSON.stringify(date)}: expected YYYY-MM-DD or an ISO-8601 instant with an offset`);
  }
  const utc = new Date(parseInstant(date, 'date'));
  return { year: utc.getUTCFullYear(), month: utc.getUTCMonth() + 1, day: utc.getUTCDate() };
}

function assertStartMonth(month: number): void {
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new RangeError(`fiscalYearStartMonth must be an integer in 1..12, got ${month}`);
  }
}

function requireQuarter(id: QuarterId): QuarterParts {
  const parts = parseQuarterId(id);
  if (!parts) throw new Error(`Invalid quarter id ${JSON.stringify(id)}: expected YYYY-Qn, e.g. 2026-Q4`);
  return parts;
}

/** Quarters counted from 0000-Q1, so that neighbours differ by one. */
function quarterIndex(id: QuarterId): number {
  const { year, quarter } = requireQuarter(id);
  return year * 4 + quarter - 1;
}

function quarterAtIndex(index: number): QuarterId {
  return formatQuarterId({ year: Math.floor(index / 4), quarter: ((index % 4) + 1) as QuarterParts['quarter'] });
}

function formatQuarterId({ year, quarter }: QuarterParts): QuarterId {
  if (year < 0 || year > 9999) throw new RangeError(`Quarter year ${year} is outside 0000..9999`);
  return `${String(year).padStart(4, '0')}-Q${quarter}`;
}
