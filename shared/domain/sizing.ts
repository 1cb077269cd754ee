/**
 * Sizing: how a ticket's raw estimate becomes days counted against a pool.
 */
import type { TicketEstimate } from './ticket.js';

/** The tenant's conversion rules (validated positive by the config schema). */
export interface SizingRules {
  /** Working hours in one person-day, to turn time estimates into days. */
  hoursPerDay: number;
  /** Days per story point / estimate point. */
  daysPerPoint: number;
}

const SECONDS_PER_HOUR = 3600;

/**
 * A ticket's size in days, rounded to 3 decimals, or null when it has no usable estimate.
 * An original estimate (seconds > 0) wins; otherwise points (≥ 0, so 0 points is a sized 0-day
 * request); otherwise null. Non-finite numbers count as absent.
 */
export function sizeInDays(estimate: TicketEstimate, rules: SizingRules): number | null {
  assertPositive('hoursPerDay', rules.hoursPerDay);
  assertPositive('daysPerPoint', rules.daysPerPoint);
  const { seconds, points } = estimate;
  if (seconds !== null && Number.isFinite(seconds) && seconds > 0) {
    return roundDays(seconds / (rules.hoursPerDay * SECONDS_PER_HOUR));
  }
  if (points !== null && Number.isFinite(points) && points >= 0) {
    return roundDays(points * rules.daysPerPoint);
  }
  return null;
}

/**
 * Rounds days to 3 decimals, halves away from zero as a person would (1.0005 → 1.001), absorbing
 * the binary error that makes `1.0005 * 1000` come out as 1000.4999….
 */
export function roundDays(n: number): number {
  if (!Number.isFinite(n)) return n;
  const scaled = Math.abs(n) * 1000 * (1 + 4 * Number.EPSILON);
  const rounded = (Math.sign(n) * Math.round(scaled)) / 1000;
  return rounded === 0 ? 0 : rounded; // no -0
}

/** Days as integer thousandths, for exact sums and comparisons (days carry at most 3 decimals). */
export function toThousandths(days: number): number {
  return Math.round(roundDays(days) * 1000);
}

/** Integer thousandths back to days. */
export function fromThousandths(thousandths: number): number {
  return roundDays(thousandths / 1000);
}

function assertPositive(name: keyof SizingRules, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`Sizing rule ${name} must be a positive number, got ${value}`);
  }
}
