/**
 * Strict readers for the two date shapes trackers give us: calendar dates (`YYYY-MM-DD`, Jira due
 * dates) and ISO-8601 instants with an offset (`2026-01-05T10:00:00.000Z`, Jira's
 * `2026-01-05T10:00:00.000+0100`). `Date.parse` alone is too lenient for this: it turns
 * `2026-02-30` into March 2 and reads an instant without offset in the server's local time zone.
 */

/** The instant used when no better one is known: 1970-01-01T00:00:00.000Z. */
export const EPOCH = '1970-01-01T00:00:00.000Z';

/** A calendar date's parts; month and day are 1-based. */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-](\d{2}):?(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Number of days in a month (1-based) of a proleptic Gregorian year. */
export function daysInMonth(year: number, month: number): number {
  const days = DAYS_IN_MONTH[month - 1];
  if (days === undefined) throw new RangeError(`Month ${month} is not in 1..12`);
  return month === 2 && isLeapYear(year) ? 29 : days;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function isValidDay(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Reads `YYYY-MM-DD` strictly (real month and day), or returns null. */
export function parseCalendarDate(value: string): CalendarDate | null {
  const m = CALENDAR_DATE.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return isValidDay(year, month, day) ? { year, month, day } : null;
}

/** Formats a calendar date as `YYYY-MM-DD`; throws for years outside 0000..9999. */
export function formatCalendarDate(date: CalendarDate): string {
  if (!Number.isInteger(date.year) || date.year < 0 || date.year > 9999) {
    throw new RangeError(`Year ${date.year} cannot be written as YYYY`);
  }
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * Milliseconds since the epoch of an ISO-8601 instant that carries an offset (`Z`, `+01:00` or
 * `+0100`), or null when the text is not such an instant (no offset, February 30, hour 24...).
 */
export function tryParseInstant(value: string): number | null {
  const m = INSTANT.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, offset, oh, om] = m;
  if (!isValidDay(Number(y), Number(mo), Number(d))) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? '0') > 59) return null;
  if (offset !== 'Z' && (Number(oh) > 23 || Number(om) > 59)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** Like {@link tryParseInstant}, but throws a clear Error on malformed input (a bug upstream). */
export function parseInstant(value: string, what = 'instant'): number {
  const ms = tryParseInstant(value);
  if (ms === null) {
    throw new Error(`Invalid ${what} ${JSON.stringify(value)}: expected ISO-8601 with an offset, e.g. 2026-01-05T10:00:00Z`);
  }
  return ms;
}

/** True when `value` is an ISO-8601 instant with an offset that {@link parseInstant} accepts. */
export function isInstant(value: string): boolean {
  return tryParseInstant(value) !== null;
}
