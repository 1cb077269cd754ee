import { describe, expect, it } from '@jest/globals';
import { createKeySpace } from '../keys.js';

describe('createKeySpace', () => {
  it("builds a tenant's keys once: every call for the tenant returns the same frozen builders", () => {
    const keys = createKeySpace('pk');
    const acme = keys.tenant('acme');
    expect(keys.tenant('acme')).toBe(acme);
    expect(Object.isFrozen(acme)).toBe(true);
    expect(acme.ticket('10001')).toBe('pk:{t:acme}:ticket:10001');
    expect(acme.poolRequests('CR/2026-Q4')).toBe('pk:{t:acme}:pool:CR/2026-Q4:requests');
  });

  it('keeps tenants and key spaces apart', () => {
    const a = createKeySpace('pa');
    const b = createKeySpace('pb');
    expect(a.tenant('acme')).not.toBe(a.tenant('globex'));
    expect(a.tenant('globex').trackerPause()).toBe('pa:{t:globex}:tracker-pause');
    expect(b.tenant('acme').trackerPause()).toBe('pb:{t:acme}:tracker-pause');
  });
});
