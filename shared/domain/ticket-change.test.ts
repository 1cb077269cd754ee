import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { EPOCH, isInstant } from './instant.js';
import type { PoolRequest } from './pool-request.js';
import { decideTicketChange, type StoredTicketState, type TicketChange } from './ticket-change.js';
import { daysArb, isoWithOffset, request } from './__tests__/fixtures.js';

const v1 = request({ key: 'CR-7', days: 2 });
const v2 = { ...v1, days: 3 };

function upsert(updatedAt: string, req: PoolRequest | null): TicketChange {
  return { kind: 'upsert', updatedAt, request: req };
}

function stored(updatedAt: string, req: PoolRequest | null, deleted = false): StoredTicketState {
  return { deleted, updatedAt, request: req };
}

describe('decideTicketChange', () => {
  it('applies the first version it sees', () => {
    expect(decideTicketChange(null, upsert('2026-10-05T08:00:00Z', v1))).toEqual({
      apply: true,
      next: stored('2026-10-05T08:00:00Z', v1),
    });
  });

  it('applies a newer version and calls an older one stale', () => {
    const s = stored('2026-10-05T08:00:00Z', v1);
    expect(decideTicketChange(s, upsert('2026-10-05T08:00:01Z', v2))).toEqual({ apply: true, next: stored('2026-10-05T08:00:01Z', v2) });
    expect(decideTicketChange(s, upsert('2026-10-05T07:59:59.999Z', v2))).toEqual({ apply: false, reason: 'stale' });
  });

  it('compares instants, not strings', () => {
    // Textually '09:00Z' < '10:00+02:00', but 09:00Z is an hour after 08:00Z.
    const s = stored('2026-10-05T10:00:00+02:00', v1);
    expect(decideTicketChange(s, upsert('2026-10-05T09:00:00Z', v2))).toMatchObject({ apply: true });
    // Textually '07:30Z' < '08:00+01:00' and it is also later than 07:00Z: stale only by instant.
    const t = stored('2026-10-05T07:30:00Z', v1);
    expect(decideTicketChange(t, upsert('2026-10-05T08:00:00+01:00', v2))).toEqual({ apply: false, reason: 'stale' });
  });

  it('ignores a redelivery of the stored version, even written in another offset', () => {
    const s = stored('2026-10-05T08:00:00Z', v1);
    expect(decideTicketChange(s, upsert('2026-10-05T08:00:00Z', { ...v1 }))).toEqual({ apply: false, reason: 'unchanged' });
    expect(decideTicketChange(s, upsert('2026-10-05T10:00:00.000+02:00', v1))).toEqual({ apply: false, reason: 'unchanged' });
    expect(decideTicketChange(stored('2026-10-05T08:00:00Z', null), upsert('2026-10-05T08:00:00Z', null))).toEqual({
      apply: false,
      reason: 'unchanged',
    });
  });

  it('applies a different request at the same instant', () => {
    const s = stored('2026-10-05T08:00:00Z', v1);
    expect(decideTicketChange(s, upsert('2026-10-05T08:00:00Z', v2))).toMatchObject({ apply: true });
    expect(decideTicketChange(s, upsert('2026-10-05T08:00:00Z', null))).toEqual({ apply: true, next: stored('2026-10-05T08:00:00Z', null) });
  });

  it('deletes for good, keeping the last known updatedAt', () => {
    const s = stored('2026-10-05T08:00:00Z', v1);
    const deleted = decideTicketChange(s, { kind: 'delete' });
    expect(deleted).toEqual({ apply: true, next: stored('2026-10-05T08:00:00Z', null, true) });
    const gone = stored('2026-10-05T08:00:00Z', null, true);
    expect(decideTicketChange(gone, { kind: 'delete' })).toEqual({ apply: false, reason: 'deleted' });
    expect(decideTicketChange(gone, upsert('2030-01-01T00:00:00Z', v2))).toEqual({ apply: false, reason: 'deleted' });
  });

  it('orders a deletion that comes with its instant, and lets a newer version bring the ticket back (Linear trash, undo)', () => {
    const s = stored('2026-10-05T08:00:00Z', v1);
    const trashed = decideTicketChange(s, { kind: 'delete', at: '2026-10-05T09:00:00Z' });
    const gone: StoredTicketState = { deleted: true, updatedAt: '2026-10-05T09:00:00Z', request: null, revivable: true };
    expect(trashed).toEqual({ apply: true, next: gone });
    // Versions read before the deletion, redeliveries of it, and final deletions change nothing.
    expect(decideTicketChange(gone, upsert('2026-10-05T08:30:00Z', v2))).toEqual({ apply: false, reason: 'deleted' });
    expect(decideTicketChange(gone, upsert('2026-10-05T09:00:00Z', v2))).toEqual({ apply: false, reason: 'deleted' });
    expect(decideTicketChange(gone, { kind: 'delete', at: '2026-10-05T09:00:00Z' })).toEqual({ apply: false, reason: 'deleted' });
    expect(decideTicketChange(gone, { kind: 'delete', at: '2026-10-05T08:00:00Z' })).toEqual({ apply: false, reason: 'deleted' });
    expect(decideTicketChange(gone, { kind: 'delete' })).toEqual({ apply: false, reason: 'deleted' });
    // A later deletion moves it forward; a newer version (restored from the trash) brings it back.
    expect(decideTicketChange(gone, { kind: 'delete', at: '2026-10-05T09:30:00Z' })).toEqual({
      apply: true,
      next: { ...gone, updatedAt: '2026-10-05T09:30:00Z' },
    });
    expect(decideTicketChange(gone, upsert('2026-10-05T10:00:00Z', v2))).toEqual({ apply: true, next: stored('2026-10-05T10:00:00Z', v2) });
    // A deletion older than the version stored was undone already: stale.
    const back = stored('2026-10-05T10:00:00Z', v2);
    expect(decideTicketChange(back, { kind: 'delete', at: '2026-10-05T09:00:00Z' })).toEqual({ apply: false, reason: 'stale' });
    // At the same instant as the stored version, the deletion wins.
    expect(decideTicketChange(back, { kind: 'delete', at: '2026-10-05T12:00:00+02:00' })).toMatchObject({ apply: true, next: { deleted: true } });
    expect(() => decideTicketChange(back, { kind: 'delete', at: 'soon' })).toThrow(/deletion instant/);
  });

  it('records a deletion of a ticket it never saw at the epoch', () => {
    expect(decideTicketChange(null, { kind: 'delete' })).toEqual({ apply: true, next: stored(EPOCH, null, true) });
    expect(isInstant(EPOCH)).toBe(true);
  });

  it('throws on an updatedAt that is not an instant', () => {
    expect(() => decideTicketChange(null, upsert('2026-10-05 08:00', v1))).toThrow(/updatedAt/);
    expect(() => decideTicketChange(stored('yesterday', v1), upsert('2026-10-05T08:00:00Z', v1))).toThrow(/stored updatedAt/);
  });
});

/** One ticket's true history: versions with distinct instants (each written in some offset), maybe then a deletion. */
const historyArb = fc
  .record({
    versions: fc.uniqueArray(
      fc.record({
        ms: fc.integer({ min: 0, max: 3 * 86_400_000 }),
        offsetMinutes: fc.constantFrom(0, 60, 120, -300, 330, 840, -720),
        days: daysArb,
        custom: fc.boolean(),
      }),
      { minLength: 1, maxLength: 8, selector: (v) => v.ms },
    ),
    deleted: fc.boolean(),
  })
  .map(({ versions, deleted }) => {
    const base = request({ key: 'CR-900' });
    const inOrder: TicketChange[] = [...versions]
      .sort((a, b) => a.ms - b.ms)
      .map((v) =>
        upsert(isoWithOffset(Date.UTC(2026, 9, 1) + v.ms, v.offsetMinutes), v.custom ? { ...base, days: v.days } : null),
      );
    if (deleted) inOrder.push({ kind: 'delete' });
    return inOrder;
  });

/** Deliveries of a history: every change at least once, ≥ 20% of deliveries redelivered, in any order. */
const deliveriesArb = historyArb.chain((inOrder) =>
  fc
    .array(fc.nat(inOrder.length - 1), { minLength: Math.ceil(inOrder.length / 4), maxLength: inOrder.length * 2 })
    .chain((dups) => {
      const all = [...inOrder, ...dups.map((i) => inOrder[i] as TicketChange)];
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
    })
    .map((delivered) => ({ inOrder, delivered })),
);

function fold(changes: readonly TicketChange[]): StoredTicketState | null {
  return changes.reduce<StoredTicketState | null>((state, change) => {
    const decision = decideTicketChange(state, change);
    return decision.apply ? decision.next : state;
  }, null);
}

/** A deleted ticket's updatedAt is whatever was last seen before the deletion arrived; it carries no meaning. */
function meaning(state: StoredTicketState | null): unknown {
  if (state === null) return null;
  return state.deleted ? { deleted: true, request: null } : state;
}

/**
 * A history where every change carries its instant (Linear): versions and revivable deletions at
 * strictly increasing instants, e.g. edit, trash, restore, edit, archive.
 */
const revivableHistoryArb = fc
  .uniqueArray(
    fc.record({
      ms: fc.integer({ min: 0, max: 3 * 86_400_000 }),
      offsetMinutes: fc.constantFrom(0, 60, -300, 330),
      days: daysArb,
      custom: fc.boolean(),
      deletion: fc.boolean(),
    }),
    { minLength: 1, maxLength: 8, selector: (v) => v.ms },
  )
  .map((steps) => {
    const base = request({ key: 'ENG-900' });
    return [...steps]
      .sort((a, b) => a.ms - b.ms)
      .map((v): TicketChange => {
        const at = isoWithOffset(Date.UTC(2026, 9, 1) + v.ms, v.offsetMinutes);
        return v.deletion ? { kind: 'delete', at } : upsert(at, v.custom ? { ...base, days: v.days } : null);
      });
  });

describe('ticket change ordering (property)', () => {
  it('with deletions that carry their instant, any delivery order ends where the true order ends', () => {
    const arb = revivableHistoryArb.chain((inOrder) =>
      fc
        .array(fc.nat(inOrder.length - 1), { maxLength: inOrder.length * 2 })
        .chain((dups) => {
          const all = [...inOrder, ...dups.map((i) => inOrder[i] as TicketChange)];
          return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
        })
        .map((delivered) => ({ inOrder, delivered })),
    );
    fc.assert(
      fc.property(arb, ({ inOrder, delivered }) => {
        const expected = fold(inOrder);
        const last = inOrder.at(-1)!;
        // The true order ends in its last change: a version, or a deletion that can be undone.
        if (last.kind === 'upsert') expect(expected).toEqual(stored(last.updatedAt, last.request));
        else expect(expected).toEqual({ deleted: true, updatedAt: last.at, request: null, revivable: true });
        expect(fold(delivered)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });


  it('any delivery order with redeliveries ends where the true order ends', () => {
    fc.assert(
      fc.property(deliveriesArb, ({ inOrder, delivered }) => {
        const duplicates = delivered.length - inOrder.length;
        expect(duplicates / delivered.length).toBeGreaterThanOrEqual(0.2);
        const expected = fold(inOrder);
        const actual = fold(delivered);
        expect(meaning(actual)).toEqual(meaning(expected));
        if (expected !== null && !expected.deleted) expect(actual).toEqual(expected);
        if (expected?.deleted) expect(actual?.deleted).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the true order ends in the last version, or deleted', () => {
    fc.assert(
      fc.property(historyArb, (inOrder) => {
        const last = inOrder.at(-1);
        const end = fold(inOrder);
        if (last?.kind === 'upsert') expect(end).toEqual(stored(last.updatedAt, last.request));
        else expect(end).toMatchObject({ deleted: true, request: null });
      }),
    );
  });
});
