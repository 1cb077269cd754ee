import { describe, expect, it } from '@jest/globals';
import { poolIdOf, samePoolRequest, toPoolRequest, type PoolRequest } from './pool-request.js';
import { RULES, request, ticket } from './__tests__/fixtures.js';

describe('toPoolRequest', () => {
  it('keeps what admission needs', () => {
    expect(toPoolRequest(ticket({ key: 'CR-42', dueDate: '2026-11-15' }), RULES)).toEqual({
      key: 'CR-42',
      id: '10001',
      title: 'Export invoices as CSV',
      scope: 'ENG',
      quarter: '2026-Q4',
      days: 3,
      committed: false,
      rank: '0|i0000a:',
      createdAt: '2026-10-02T09:00:00.000Z',
      updatedAt: '2026-10-03T09:00:00.000Z',
    });
  });

  it('is null for tickets that are not custom requests or were canceled', () => {
    expect(toPoolRequest(ticket({ labels: ['bug'] }), RULES)).toBeNull();
    expect(toPoolRequest(ticket({ progress: 'canceled' }), RULES)).toBeNull();
  });

  it('dates by the due date, else by creation, in fiscal quarters', () => {
    expect(toPoolRequest(ticket({ dueDate: '2027-01-10' }), RULES)?.quarter).toBe('2027-Q1');
    expect(toPoolRequest(ticket({ dueDate: null, createdAt: '2026-06-30T23:30:00-02:00' }), RULES)?.quarter).toBe('2026-Q3');
    expect(toPoolRequest(ticket({ dueDate: '2026-10-05' }), { ...RULES, fiscalYearStartMonth: 10 })?.quarter).toBe('2027-Q1');
  });

  it('commits work in progress or done', () => {
    expect(toPoolRequest(ticket({ progress: 'in-progress' }), RULES)?.committed).toBe(true);
    expect(toPoolRequest(ticket({ progress: 'done' }), RULES)?.committed).toBe(true);
    expect(toPoolRequest(ticket({ progress: 'not-started' }), RULES)?.committed).toBe(false);
  });

  it('sizes points with the scope’s own scale when it has one', () => {
    const rules = { ...RULES, daysPerPointByScope: { ENG: 0.5 } };
    expect(toPoolRequest(ticket({ scope: 'ENG', estimate: { seconds: null, points: 5 } }), rules)?.days).toBe(2.5);
    expect(toPoolRequest(ticket({ scope: 'OPS', estimate: { seconds: null, points: 5 } }), rules)?.days).toBe(5);
    expect(toPoolRequest(ticket({ scope: 'ENG', estimate: { seconds: 4 * 3600, points: 5 } }), rules)?.days).toBe(0.5);
    expect(toPoolRequest(ticket({ estimate: { seconds: null, points: null } }), rules)?.days).toBeNull();
  });

  it('treats scopes named like Object.prototype members as plain scopes', () => {
    for (const scope of ['constructor', 'toString', '__proto__']) {
      expect(toPoolRequest(ticket({ scope, estimate: { seconds: null, points: 2 } }), RULES)?.days).toBe(2);
    }
  });
});

describe('poolIdOf and samePoolRequest', () => {
  it('names a pool by scope and quarter', () => {
    expect(poolIdOf({ scope: 'ENG', quarter: '2026-Q4' })).toBe('ENG/2026-Q4');
  });

  it('compares every field', () => {
    const a = request({ rank: 1 });
    expect(samePoolRequest(a, { ...a })).toBe(true);
    const changes: Partial<PoolRequest>[] = [
      { key: 'X-1' },
      { id: 'x' },
      { title: 'x' },
      { scope: 'OPS' },
      { quarter: '2027-Q1' },
      { days: null },
      { days: 1.001 },
      { committed: true },
      { rank: '1' },
      { rank: null },
      { createdAt: '2020-01-01T00:00:00.000Z' },
      { updatedAt: '2020-01-01T00:00:00.000Z' },
    ];
    for (const change of changes) expect(samePoolRequest(a, { ...a, ...change })).toBe(false);
  });
});
