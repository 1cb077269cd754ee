/** Builders and fast-check arbitraries shared by the domain's tests (not shipped: see tsconfig.build). */
import fc from 'fast-check';
import type { PoolRequest, PoolRules } from '../pool-request.js';
import type { RankKey, Ticket } from '../ticket.js';

export function ticket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    key: 'CR-1',
    id: '10001',
    scope: 'ENG',
    title: 'Export invoices as CSV',
    labels: ['custom-request'],
    issueType: 'Task',
    linkedToCustomerRequest: false,
    estimate: { seconds: null, points: 3 },
    dueDate: null,
    createdAt: '2026-10-02T09:00:00.000Z',
    updatedAt: '2026-10-03T09:00:00.000Z',
    rank: '0|i0000a:',
    progress: 'not-started',
    ...overrides,
  };
}

export const RULES: PoolRules = {
  labels: ['custom-request'],
  issueTypes: ['Customer Request'],
  includeLinkedCustomerRequests: false,
  hoursPerDay: 8,
  daysPerPoint: 1,
  daysPerPointByScope: {},
  fiscalYearStartMonth: 1,
};

let counter = 0;

/** A pool request with sensible defaults; every call gets its own key and creation time. */
export function request(overrides: Partial<PoolRequest> = {}): PoolRequest {
  counter += 1;
  return {
    key: `CR-${counter}`,
    id: `id-${counter}`,
    title: `Request ${counter}`,
    scope: 'ENG',
    quarter: '2026-Q4',
    days: 1,
    committed: false,
    rank: null,
    createdAt: new Date(Date.UTC(2026, 9, 1) + counter * 1000).toISOString(),
    updatedAt: '2026-10-05T00:00:00.000Z',
    ...overrides,
  };
}

const MS_2026 = Date.UTC(2026, 0, 1);

/** Days as a person would estimate them: halves, thousandths, zero, or no estimate. */
export const daysArb: fc.Arbitrary<number | null> = fc.oneof(
  fc.constant(null),
  fc.integer({ min: 0, max: 20 }).map((n) => n / 2),
  fc.integer({ min: 0, max: 8000 }).map((n) => n / 1000),
);

/** Ranks of one kind per pool (as trackers give them), with some missing; strings span all of UTF-16. */
export const rankKindArb: fc.Arbitrary<fc.Arbitrary<RankKey | null>> = fc.constantFrom(
  fc.option(fc.integer({ min: -1000, max: 1000 }).map((n) => n / 4), { nil: null, freq: 4 }),
  fc.option(fc.string({ unit: 'binary', maxLength: 4 }), { nil: null, freq: 4 }),
  fc.option(fc.constantFrom('0|a', '0|A', '0|b', '0|hzzzzz:', '1|0', 'é', 'Z'), { nil: null, freq: 4 }),
);

/** Up to `maxLength` requests of one pool with unique keys, ties in rank and creation time included. */
export function poolRequestsArb(maxLength = 14): fc.Arbitrary<PoolRequest[]> {
  return rankKindArb.chain((rankArb) =>
    fc.uniqueArray(
      fc.record({
        key: fc.integer({ min: 1, max: 500 }).map((n) => `CR-${n}`),
        days: daysArb,
        committed: fc.boolean(),
        rank: rankArb,
        createdSecond: fc.integer({ min: 0, max: 5 }),
      }),
      { maxLength, selector: (r) => r.key },
    ).map((rows) =>
      rows.map(
        (r): PoolRequest => ({
          key: r.key,
          id: `id-${r.key}`,
          title: r.key,
          scope: 'ENG',
          quarter: '2026-Q4',
          days: r.days,
          committed: r.committed,
          rank: r.rank,
          createdAt: new Date(MS_2026 + r.createdSecond * 1000).toISOString(),
          updatedAt: new Date(MS_2026 + 86_400_000).toISOString(),
        }),
      ),
    ),
  );
}

/** A limit in days: none, zero, or a few (halves and thousandths). */
export const limitArb: fc.Arbitrary<number | null> = fc.oneof(
  fc.constant(null),
  fc.constant(0),
  fc.integer({ min: 0, max: 60 }).map((n) => n / 2),
  fc.integer({ min: 0, max: 30000 }).map((n) => n / 1000),
);

/** The instant `ms` written in the local time of a UTC offset (minutes), e.g. `2026-10-05T10:00:00.000+02:00`. */
export function isoWithOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  if (offsetMinutes === 0) return `${local}Z`;
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${hh}:${mm}`;
}
