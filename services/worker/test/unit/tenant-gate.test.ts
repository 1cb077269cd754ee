import { describe, expect, it } from '@jest/globals';
import { TenantGate } from '../../src/tenant-gate.js';

describe('TenantGate', () => {
  it('lets at most maxPerTenant jobs of one tenant in, others freely', () => {
    const gate = new TenantGate(2);
    const a1 = gate.tryEnter('a');
    const a2 = gate.tryEnter('a');
    expect(a1 && a2).toBeTruthy();
    expect(gate.tryEnter('a')).toBeNull();
    expect(gate.tryEnter('b')).not.toBeNull();
    a1!();
    a1!(); // twice is once
    expect(gate.inFlight('a')).toBe(1);
    expect(gate.tryEnter('a')).not.toBeNull();
  });

  it('hands a freed slot to a waiting job while the tenant is healthy', async () => {
    const gate = new TenantGate(1);
    const first = gate.tryEnter('a')!;
    const waiting = gate.enter('a', 1_000);
    expect(gate.inFlight('a')).toBe(1);
    first();
    // The slot went to the waiter: nobody else can take it meanwhile.
    expect(gate.tryEnter('a')).toBeNull();
    const second = await waiting;
    expect(second).not.toBeNull();
    expect(gate.inFlight('a')).toBe(1);
    second!();
    expect(gate.inFlight('a')).toBe(0);
  });

  it('does not let a job wait behind a tenant whose running jobs are old (hanging tracker)', async () => {
    let clock = 0;
    const gate = new TenantGate(1, () => clock);
    gate.tryEnter('a');
    clock = 5_000;
    const started = Date.now();
    expect(await gate.enter('a', 1_000)).toBeNull();
    expect(Date.now() - started).toBeLessThan(50);
  });

  it('gives up waiting after maxWaitMs', async () => {
    const gate = new TenantGate(1);
    gate.tryEnter('a');
    expect(await gate.enter('a', 30)).toBeNull();
    expect(gate.inFlight('a')).toBe(1);
  });
});
