import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { admitRequests, type AdmissionEntry, type PoolOutcome } from '@pool-guard/shared/domain';
import { poolRequestsArb } from '../../../../shared/domain/__tests__/fixtures.js';
import { changedTicketsByLane } from '../../src/use-cases/recompute-pool.js';

/** The diff as it was first written, by JSON fingerprints: the reference. */
function byFingerprints(previous: PoolOutcome | null, next: PoolOutcome, idOfKey: ReadonlyMap<string, string>): { own: string[]; figures: string[] } {
  const ownFingerprint = (e: AdmissionEntry) => JSON.stringify([e.state, e.rank, e.days, e.standing]);
  const figuresFingerprint = (o: PoolOutcome) => JSON.stringify([o.usedDays, o.limitDays, o.warnAtPercent, o.overdrawn, o.entries.length]);
  const before = new Map<string, string>();
  if (previous) for (const e of previous.entries) before.set(e.key, ownFingerprint(e));
  const figuresMoved = previous === null || figuresFingerprint(previous) !== figuresFingerprint(next);
  const own: string[] = [];
  const figures: string[] = [];
  for (const e of next.entries) {
    const id = idOfKey.get(e.key);
    if (!id) continue;
    if (before.get(e.key) !== ownFingerprint(e)) own.push(id);
    else if (figuresMoved) figures.push(id);
  }
  return { own, figures };
}

const settingsArb = fc.record({ limitDays: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }), warnAtPercent: fc.constantFrom(50, 80, 100) });

describe('changedTicketsByLane', () => {
  it('finds the same tickets in the same lanes as comparing JSON fingerprints did', () => {
    fc.assert(
      fc.property(
        // Two states of one pool: requests kept, changed, added and removed between them.
        poolRequestsArb(12),
        poolRequestsArb(12),
        settingsArb,
        settingsArb,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (a, b, sa, sb, fromStorage, noPrevious, reuse) => {
          const keep = new Set(a.filter((_, i) => i % 3 !== 0).map((r) => r.key));
          const second = [...a.filter((r) => keep.has(r.key)), ...b.filter((r) => !a.some((x) => x.key === r.key))];
          const first = admitRequests(sa, a);
          // An outcome read back from Redis is its JSON parsed; one committed by this process is the object itself.
          const previous = noPrevious ? null : fromStorage ? (JSON.parse(JSON.stringify(first)) as PoolOutcome) : first;
          // Recomputes pass the previous outcome, whose equal entries come back as the same objects.
          const next = admitRequests(sb, second, reuse ? previous : null);
          const idOfKey = new Map([...a, ...b].filter((r) => r.key !== second[0]?.key).map((r) => [r.key, r.id]));
          const idOf = (key: string) => idOfKey.get(key);
          expect(changedTicketsByLane(previous, next, idOf)).toEqual(byFingerprints(previous, next, idOfKey));
          expect(changedTicketsByLane(next, next, idOf)).toEqual({ own: [], figures: [] });
        },
      ),
      { numRuns: 500 },
    );
  });
});
