import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { admitRequests } from './admission.js';
import { COMMENT_TITLE, commentForLeftPool, commentForView, commentPlainText, type LeftPoolReason } from './comment-text.js';
import type { PoolRequest } from './pool-request.js';
import { viewTicketInPool, type QuarterWithRoom } from './ticket-view.js';
import { limitArb, poolRequestsArb, request } from './__tests__/fixtures.js';

const A = request({ key: 'A', days: 3, rank: 9, committed: true });
const B = request({ key: 'B', days: 4, rank: 1 });
const C = request({ key: 'C', days: 2, rank: 2 });
const D = request({ key: 'D', days: 5, rank: 3 });
const E = request({ key: 'E', days: 1, rank: 4 });
const U = request({ key: 'U', days: null, rank: 5 });
const POOL = [A, B, C, D, E, U];

/** The comment text for `req` in a pool of `requests` with `limitDays`. */
function textFor(req: PoolRequest, limitDays: number | null, requests: PoolRequest[] = POOL, next: QuarterWithRoom | null = null): string {
  const outcome = admitRequests({ limitDays, warnAtPercent: 80 }, requests);
  return commentPlainText(commentForView(viewTicketInPool(outcome, req, next)));
}

describe('commentForView', () => {
  it('ok: fits, nothing to do, with the numbers', () => {
    const text = textFor(B, 20);
    expect(text.split('\n')[0]).toBe(COMMENT_TITLE);
    expect(text).toContain('Fits in the pool.');
    expect(text).toContain('Nothing to do.');
    expect(text).toContain('ENG');
    expect(text).toContain('2026-Q4');
    expect(text).toContain('15 of 20 days used');
    expect(text).toContain('5 days free');
    expect(text).toContain('This request: 4 days, rank 2 of 6.');
  });

  it('ok for committed work says why it counts first', () => {
    expect(textFor(A, 20)).toContain('This request: 3 days, rank 1 of 6. It is in progress or done, so it is counted first.');
  });

  it('near-limit: almost full, with the days left', () => {
    const text = textFor(C, 10);
    expect(text).toContain('almost full: 1 day left.');
    expect(text).toContain('Nothing to do for this request.');
    expect(text).toContain('9 of 10 days used');
    expect(text).toContain('This request: 2 days, rank 3 of 6.');
  });

  it('near-limit with no days left says so', () => {
    expect(textFor(request({ key: 'F', days: 10 }), 10, [request({ key: 'F', days: 10 })])).toContain('almost full: no days left.');
  });

  it('over-limit: waits, and offers re-ranking, a smaller estimate and the next quarter with room', () => {
    const text = textFor(D, 10, POOL, { quarter: '2027-Q1', freeDays: 6 });
    expect(text).toContain('Waiting: it does not fit in the pool.');
    expect(text).toContain('This request: 5 days, rank 4 of 6.');
    expect(text).toContain('9 of 10 days used');
    expect(text).toContain('at least above C, the last request that fits');
    expect(text).toContain('shrink its estimate to at most 1 day');
    expect(text).toContain('Or plan it for 2027-Q1, which has 6 days free.');
    expect(text).not.toContain('raise the limit');
  });

  it('over-limit behind another waiting request offers no shrink target', () => {
    const text = textFor(E, 10);
    expect(text).toContain('above C');
    expect(text).not.toContain('shrink');
    expect(text).not.toContain('Plan it for');
  });

  it('over-limit with nothing else to offer points to an admin', () => {
    const full = request({ key: 'FULL', days: 10, committed: true });
    const big = request({ key: 'BIG', days: 2 });
    const text = textFor(big, 10, [full, big]);
    expect(text).toContain('Waiting');
    expect(text).toContain('Ask a Pool Guard admin to raise the limit for ENG in 2026-Q4');
    expect(text).not.toContain('shrink');
    expect(text).not.toContain('above');
  });

  it('over-limit with only a later quarter starts with it', () => {
    const full = request({ key: 'FULL', days: 10, committed: true });
    const big = request({ key: 'BIG', days: 2 });
    const text = textFor(big, 10, [full, big], { quarter: '2027-Q2', freeDays: 2.5 });
    expect(text).toContain('\nPlan it for 2027-Q2, which has 2.5 days free.');
    expect(text).not.toContain('raise the limit');
  });

  it('needs-estimate: asks for an estimate or points, with or without a limit', () => {
    for (const limit of [10, null]) {
      const text = textFor(U, limit);
      expect(text).toContain('Needs an estimate.');
      expect(text).toContain('Add an original estimate or story points so it can be counted');
      expect(text).toContain('This request: no estimate yet, rank 6 of 6.');
      expect(text).toContain('2026-Q4');
    }
    expect(textFor(U, null)).toContain('no limit set');
  });

  it('no-limit: says no pool is set and who can set one', () => {
    const text = textFor(B, null);
    expect(text).toContain('No pool is set for ENG in 2026-Q4.');
    expect(text).toContain('ask a Pool Guard admin to set one');
    expect(text).toContain('This request: 4 days, rank 2 of 6.');
    expect(text).toContain('15 days of custom work so far');
  });

  it('overdrawn: says committed work already exceeds the limit, for counted and waiting requests', () => {
    const P = request({ key: 'P', days: 12.5, committed: true });
    const W = request({ key: 'W', days: 1, rank: 1 });
    const Z = request({ key: 'Z', days: 0, rank: 0 });
    const counted = textFor(P, 10, [P, W, Z]);
    expect(counted).toContain('pool is overdrawn');
    expect(counted).toContain('12.5 of 10 days used');
    expect(counted).toContain('Committed work (in progress or done) already exceeds the limit by 2.5 days.');
    const waiting = textFor(W, 10, [P, W, Z], { quarter: '2027-Q1', freeDays: 3 });
    expect(waiting).toContain('Waiting');
    expect(waiting).toContain('already exceeds the limit');
    expect(waiting).toContain('Nothing new fits in 2026-Q4');
    expect(waiting).not.toContain('above Z'); // re-ranking cannot help while committed work is over the limit
    expect(waiting).toContain('Plan it for 2027-Q1, which has 3 days free.');
  });

  it('marks the state in bold and nothing else', () => {
    const doc = commentForView(viewTicketInPool(admitRequests({ limitDays: 10, warnAtPercent: 80 }, POOL), D));
    expect(doc.title).toBe(COMMENT_TITLE);
    expect(doc.paragraphs[0]?.[0]).toEqual({ text: 'Waiting: it does not fit in the pool.', bold: true });
    expect(doc.paragraphs.slice(1).flat().some((s) => s.bold === true)).toBe(false);
  });
});

describe('commentForLeftPool', () => {
  it.each<[LeftPoolReason, string]>([
    ['no-longer-custom', 'no longer marked as a custom request'],
    ['canceled', 'canceled'],
    ['moved', 'no longer belongs to'],
  ])('%s: says why and that the days are free again', (reason, why) => {
    const text = commentPlainText(commentForLeftPool({ key: 'CR-9', scope: 'OPS', quarter: '2027-Q1', reason }));
    expect(text.split('\n')[0]).toBe(COMMENT_TITLE);
    expect(text).toContain(why);
    expect(text).toContain('OPS');
    expect(text).toContain('2027-Q1');
    expect(text).toMatch(/free again/);
  });
});

describe('commentPlainText', () => {
  it('joins the title and each paragraph’s spans with newlines', () => {
    expect(commentPlainText({ title: 'T', paragraphs: [[{ text: 'a', bold: true }, { text: ' b' }], [], [{ text: 'c' }]] })).toBe('T\na b\n\nc');
  });
});

describe('comment text (property)', () => {
  it('always has the title, quarter, scope, rank and clean numbers', () => {
    fc.assert(
      fc.property(
        fc.record({ limitDays: limitArb, warnAtPercent: fc.integer({ min: 1, max: 100 }), requests: poolRequestsArb() }),
        fc.option(fc.record({ quarter: fc.constant('2027-Q1'), freeDays: fc.integer({ min: 1, max: 40 }).map((n) => n / 4) }), { nil: null }),
        ({ limitDays, warnAtPercent, requests }, next) => {
          const outcome = admitRequests({ limitDays, warnAtPercent }, requests);
          for (const r of requests) {
            const view = viewTicketInPool(outcome, r, next);
            const text = commentPlainText(commentForView(view));
            expect(text.startsWith(`${COMMENT_TITLE}\n`)).toBe(true);
            expect(text).toContain(`Pool for ENG in 2026-Q4`);
            expect(text).toContain(`rank ${view.rank} of ${requests.length}.`);
            expect(text).not.toMatch(/NaN|undefined|null|Infinity|\d\.\d{4}|\.\d*0 days?\b|(?<![\d.])1 days\b/);
            if (view.state === 'over-limit') expect(text).toMatch(/To fit it|Plan it|Or plan it|Ask a Pool Guard admin/);
          }
        },
      ),
    );
  });
});
