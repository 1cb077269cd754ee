import { describe, expect, it } from '@jest/globals';
import { findDrift, sameBadge } from '../../src/use-cases/find-drift.js';

const BADGE = { quarter: '2026-Q4', scope: 'CR', state: 'ok', usedDays: 7, limitDays: 10, days: 3, rank: 1 };
const written = { label: 'pool-ok', badge: JSON.stringify(BADGE), comment: 'Custom-work pool\n…', commentId: '10001' };
const intact = { labels: ['custom-request', 'pool-ok'], marks: { badge: { ...BADGE }, commentIds: ['10001'] } };

describe('findDrift: marks a person changed since Pool Guard wrote them', () => {
  it('finds nothing on a ticket that shows what was written, or one never written to', () => {
    expect(findDrift(intact, written)).toEqual([]);
    expect(findDrift({ labels: ['custom-request'] }, null)).toEqual([]);
  });

  it('finds a removed pool label, a second one added by hand, or one on a ticket that should have none', () => {
    expect(findDrift({ ...intact, labels: ['custom-request'] }, written)).toEqual(['label']);
    expect(findDrift({ ...intact, labels: ['pool-ok', 'pool-over-limit'] }, written)).toEqual(['label']);
    expect(findDrift({ ...intact, labels: ['pool-ok'] }, { ...written, label: null })).toEqual(['label']);
  });

  it('finds an edited or deleted badge, and tells Linear metadata without its nulls from a change', () => {
    expect(findDrift({ ...intact, marks: { ...intact.marks, badge: { ...BADGE, rank: 9 } } }, written)).toEqual(['badge']);
    expect(findDrift({ ...intact, marks: { ...intact.marks, badge: null } }, written)).toEqual(['badge']);
    expect(sameBadge({ ...BADGE, extra: 1 }, written.badge)).toBe(false);
    const unsized = { ...BADGE, state: 'needs-estimate', days: null, limitDays: null };
    const { days: _d, limitDays: _l, ...linearMetadata } = unsized;
    expect(sameBadge(linearMetadata, JSON.stringify(unsized))).toBe(true);
    expect(sameBadge(null, null)).toBe(true);
  });

  it('finds a deleted comment, and cannot judge comments the listing did not read', () => {
    expect(findDrift({ ...intact, marks: { ...intact.marks, commentIds: [] } }, written)).toEqual(['comment']);
    expect(findDrift({ ...intact, marks: { ...intact.marks, commentIds: ['10002'] } }, written)).toEqual(['comment']);
    expect(findDrift({ ...intact, marks: { ...intact.marks, commentIds: null } }, written)).toEqual([]);
    expect(findDrift({ ...intact, marks: { ...intact.marks, commentIds: [] } }, { ...written, comment: null })).toEqual([]);
    // Without marks only labels are compared.
    expect(findDrift({ labels: ['custom-request', 'pool-ok'] }, written)).toEqual([]);
  });
});
