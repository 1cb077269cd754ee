/**
 * LexoRank-like strings, `0|i0000f:` or `0|i0000f:i`: a bucket, a fixed-width base-36 integer part
 * and an optional base-36 fraction after the colon. Because the integer part has a fixed width and
 * fractions carry no trailing zeros, comparing the strings by code unit gives the board order,
 * as it does with Jira's Rank field.
 */

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';
const WIDTH = 6;
const BUCKET = '0|';
/** Gap between new issues appended at the bottom. */
const STEP = 8;

export const FIRST_RANK = `${BUCKET}i00007:`;

function toDigits(rank: string): string {
  const m = /^\d\|([0-9a-z]{6}):([0-9a-z]*)$/.exec(rank);
  if (!m) throw new Error(`not a rank: ${rank}`);
  return (m[1]! + m[2]!).replace(/0+$/, '');
}

function fromDigits(digits: string): string {
  const padded = digits.padEnd(WIDTH, '0');
  return `${BUCKET}${padded.slice(0, WIDTH)}:${padded.slice(WIDTH).replace(/0+$/, '')}`;
}

/** A digit string strictly between a and b (b null = no upper bound); both without trailing zeros. */
function midpoint(a: string, b: string | null): string {
  if (b !== null) {
    let n = 0;
    while ((a[n] ?? '0') === b[n]) n++;
    if (n > 0) return b.slice(0, n) + midpoint(a.slice(n), b.slice(n));
  }
  const digitA = a ? DIGITS.indexOf(a[0]!) : 0;
  const digitB = b !== null ? DIGITS.indexOf(b[0]!) : DIGITS.length;
  if (digitB - digitA > 1) return DIGITS[Math.round((digitA + digitB) / 2)]!;
  if (b !== null && b.length > 1) return b.slice(0, 1);
  return DIGITS[digitA]! + midpoint(a.slice(1), null);
}

/** A rank strictly between `before` and `after` (either may be null for an open end). */
export function rankBetween(before: string | null, after: string | null): string {
  const a = before === null ? '' : toDigits(before);
  const b = after === null ? null : toDigits(after);
  if (b !== null && a >= b) throw new Error(`ranks out of order: ${before} >= ${after}`);
  return fromDigits(midpoint(a, b));
}

/** The rank for a new issue at the bottom: the integer part moved on by a fixed step when room allows. */
export function rankAfterLast(last: string | null): string {
  if (last === null) return FIRST_RANK;
  const m = /^\d\|([0-9a-z]{6}):/.exec(last);
  const next = m ? parseInt(m[1]!, 36) + STEP : NaN;
  if (Number.isFinite(next) && next < 36 ** WIDTH) return `${BUCKET}${next.toString(36).padStart(WIDTH, '0')}:`;
  return rankBetween(last, null);
}
