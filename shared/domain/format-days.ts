/**
 * How numbers of days are written for people: no trailing zeros, singular for exactly one.
 */
import { roundDays } from './sizing.js';

/** A number of days without trailing zeros, at most 3 decimals: `2.5`, `8`, `0.125`. */
export function formatNumber(n: number): string {
  return String(roundDays(n));
}

/** Days with their unit: `1 day`, `2.5 days`, `0 days`. */
export function formatDays(n: number): string {
  const rounded = roundDays(n);
  return `${String(rounded)} ${rounded === 1 ? 'day' : 'days'}`;
}
