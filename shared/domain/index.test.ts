import { describe, expect, it } from '@jest/globals';
import * as domain from './index.js';

describe('shared/domain index', () => {
  it('re-exports the public functions and constants of every domain file', () => {
    const names = [
      'quarterOf', 'parseQuarterId', 'isQuarterId', 'nextQuarter', 'previousQuarter', 'quarterRange', 'quarterStartDate', 'quarterEndDate', 'compareQuarters',
      'sizeInDays', 'roundDays', 'isCustomRequest', 'toPoolRequest', 'poolIdOf', 'samePoolRequest', 'decideTicketChange',
      'compareAdmissionOrder', 'admitRequests', 'viewTicketInPool', 'badgeOf', 'badgeSubtitle',
      'commentForView', 'commentForLeftPool', 'commentPlainText', 'labelForState', 'formatDays', 'parseInstant',
    ] as const;
    for (const name of names) expect(typeof domain[name]).toBe('function');
    expect(domain.COMMENT_TITLE).toBe('Custom-work pool');
    expect(domain.REQUEST_STATES).toHaveLength(5);
    expect(domain.POOL_LABELS).toContain('pool-over-limit');
    expect(domain.EPOCH).toBe('1970-01-01T00:00:00.000Z');
  });
});
