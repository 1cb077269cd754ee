/**
 * Reconcile sweeps on a sandbox Jira whose webhooks Pool Guard did not hear: the sweep brings the
 * ledger, the pool figures and every ticket's label, comment and badge to what they should be,
 * repairs marks people changed, finds deleted tickets, and writes nothing when all is well.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@pool-guard/shared/testing';
import { shownOn, startSweepStack, type SweepStack } from './support/sweep-stack.js';

const Q = '2026-Q4';
const DUE = '2026-11-20';
const RANGE = { from: '2026-Q3', to: '2027-Q1' };

describe('reconcile sweep of a tenant that missed its webhooks', () => {
  let h: SweepStack;
  const keys: Record<string, string> = {};
  const show = (name: string) => shownOn(h.sandbox, keys[name]!);

  beforeAll(async () => {
    h = await startSweepStack({ webhook: false });
    await h.setPool('CR', Q, 10, 80);
    await h.settle();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('converges: requests filed while no webhook came get their labels, comments, badges and pool figures', async () => {
    keys.A = h.sandbox.createIssue({ project: 'CR', summary: 'SSO for Initech', labels: ['custom-request'], originalEstimate: '3d', dueDate: DUE }).key;
    keys.B = h.sandbox.createIssue({ project: 'CR', summary: 'CSV export for Globex', labels: ['custom-request', 'sales'], originalEstimate: '4d', dueDate: DUE }).key;
    keys.C = h.sandbox.createIssue({ project: 'CR', summary: 'Custom report for Acme', labels: ['custom-request'], originalEstimate: '5d', dueDate: DUE }).key;
    keys.N = h.sandbox.createIssue({ project: 'CR', summary: 'Not sized yet', labels: ['custom-request'], dueDate: DUE }).key;
    keys.P = h.sandbox.createIssue({ project: 'CR', summary: 'Plain product work', labels: ['roadmap'], originalEstimate: '8d', dueDate: DUE }).key;
    keys.F = h.sandbox.createIssue({ project: 'OPS', summary: 'Far future', labels: ['custom-request'], originalEstimate: '1d', dueDate: '2028-02-01' }).key;
    await h.settle();
    expect(show('A').label).toBeNull(); // nobody told Pool Guard

    const report = await h.sweep({ quarters: RANGE });
    await h.settle();

    expect(report).toMatchObject({
      status: 'completed',
      trigger: 'admin',
      quarters: RANGE,
      ticketsSeen: 5, // the four custom requests of Q4 and the one of 2028 (not swept)
      ticketsInRange: 4,
      ticketsRefetched: 0,
      ledger: { added: 4, updated: 0, deleted: 0, excluded: 0, movedOut: 0 },
      poolsRecomputed: 1,
      writeBacksQueued: 4,
      drift: { labels: 0, badges: 0, comments: 0 },
      errorCount: 0,
    });
    expect(report.finishedAt).not.toBeNull();

    expect(show('A').label).toBe('pool-ok');
    expect(show('B').label).toBe('pool-ok');
    expect(show('C').label).toBe('pool-over-limit');
    expect(show('N').label).toBe('pool-needs-estimate');
    expect(show('B').issue.labels).toContain('sales');
    expect(show('P').label).toBeNull();
    expect(show('P').comments).toHaveLength(0);
    expect(show('F').label).toBeNull(); // outside the swept quarters
    for (const name of ['A', 'B', 'C', 'N']) expect(show(name).comments).toHaveLength(1);
    expect(show('A').badge).toEqual({ quarter: Q, scope: 'CR', state: 'ok', usedDays: 7, limitDays: 10, days: 3, rank: 1 });
    expect(show('C').comment).toMatch(/7 of 10 days/);

    const pool = await h.pool('CR', Q);
    expect(pool).toMatchObject({ limitDays: 10, usedDays: 7 });
    expect(pool.requests.map((r: any) => [r.key, r.days, r.state])).toEqual([
      [keys.A, 3, 'ok'],
      [keys.B, 4, 'ok'],
      [keys.C, 5, 'over-limit'],
      [keys.N, null, 'needs-estimate'],
    ]);
  });

  it('writes nothing when the tenant is healthy', async () => {
    const before = h.sandbox.countWrites();
    const report = await h.sweep({ quarters: RANGE });
    await h.settle();
    expect(report).toMatchObject({
      status: 'completed',
      ticketsInRange: 4,
      ledger: { added: 0, updated: 0, deleted: 0, excluded: 0, movedOut: 0 },
      writeBacksQueued: 0,
      drift: { labels: 0, badges: 0, comments: 0 },
      errorCount: 0,
    });
    expect(h.sandbox.countWrites()).toBe(before);
  });

  it('repairs what people changed: a removed pool label, an edited badge, a deleted comment', async () => {
    h.sandbox.editIssue(keys.A!, { labels: { remove: ['pool-ok'] } } as never);
    h.sandbox.setProperty(keys.B!, 'pool-guard', { quarter: Q, scope: 'CR', state: 'over-limit', usedDays: 0, limitDays: 10, days: 4, rank: 9 });
    await h.deleteComment(keys.C!, show('C').comments[0]!.id);
    // Someone also put a second pool label on N by hand.
    h.sandbox.editIssue(keys.N!, { labels: { add: ['pool-ok'] } } as never);
    expect(show('A').label).toBeNull();
    expect(show('C').comments).toHaveLength(0);

    const report = await h.sweep({ quarters: RANGE });
    await h.settle();
    expect(report).toMatchObject({ status: 'completed', drift: { labels: 2, badges: 1, comments: 1 }, writeBacksQueued: 4, ledger: { added: 0, updated: 0 } });

    expect(show('A').label).toBe('pool-ok');
    expect(show('B').badge).toEqual({ quarter: Q, scope: 'CR', state: 'ok', usedDays: 7, limitDays: 10, days: 4, rank: 2 });
    expect(show('C').comments).toHaveLength(1);
    expect(show('C').comment).toMatch(/7 of 10 days/);
    expect(show('N').label).toBe('pool-needs-estimate');
    for (const name of ['A', 'B', 'C', 'N']) expect(show(name).comments).toHaveLength(1);

    // And the next sweep finds everything in order again.
    const again = await h.sweep({ quarters: RANGE });
    expect(again).toMatchObject({ writeBacksQueued: 0, drift: { labels: 0, badges: 0, comments: 0 } });
  });

  it('finds a ticket deleted, one no longer custom and one moved to another quarter while webhooks were lost', async () => {
    h.sandbox.deleteIssue(keys.B!);
    h.sandbox.editIssue(keys.N!, { labels: { remove: ['custom-request'] } } as never);
    h.sandbox.editIssue(keys.A!, { dueDate: '2028-03-01' });

    const report = await h.sweep({ quarters: RANGE });
    await h.settle();
    expect(report).toMatchObject({
      status: 'completed',
      ticketsRefetched: 2, // B (deleted) and N (no longer labelled) are not listed any more
      ledger: { added: 0, updated: 0, deleted: 1, excluded: 1, movedOut: 1 },
      errorCount: 0,
    });
    // B's days and A's went back to the pool: C fits now.
    const pool = await h.pool('CR', Q);
    expect(pool.requests.map((r: any) => r.key)).toEqual([keys.C]);
    expect(pool.usedDays).toBe(5);
    expect(show('C').label).toBe('pool-ok');
    expect(show('C').comments).toHaveLength(1);
    // N says it left the pool, and carries no pool label or badge any more.
    expect(show('N').label).toBeNull();
    expect(show('N').badge).toBeUndefined();
    expect(show('N').comment).toMatch(/no longer/i);
  });
});

describe('sweeps alongside webhooks and the scheduler', () => {
  let h: SweepStack;
  const show = (key: string) => shownOn(h.sandbox, key);

  beforeAll(async () => {
    // Sweeps every 3 s (the default window: the previous quarter to four ahead).
    h = await startSweepStack({ webhook: true, reconcile: { intervalMinutes: 0.05 } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('runs one sweep per tenant at a time', async () => {
    const [a, b] = await Promise.all([h.reconcile(), h.reconcile()]);
    expect([a.kind, b.kind].sort()).toEqual(['busy', 'swept']);
  });

  it('is safe while webhooks flow: every request ends with one label and one comment', async () => {
    const due = new Date(Date.now() + 20 * 24 * 3600_000).toISOString().slice(0, 10);
    const keys: string[] = [];
    const sweeps: Promise<unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      keys.push(h.sandbox.createIssue({ project: 'OPS', summary: `Request ${i}`, labels: ['custom-request'], originalEstimate: `${1 + (i % 3)}d`, dueDate: due }).key);
      if (i % 4 === 0) sweeps.push(h.reconcile());
    }
    await Promise.all(sweeps);
    await h.settle();
    await h.sweep();
    await h.settle();
    for (const key of keys) {
      expect(show(key).label).toBe('pool-no-limit');
      expect(show(key).comments).toHaveLength(1);
    }
  });

  it('the job scheduler sweeps each tenant on its own: a request filed while the webhook is off gets labelled', async () => {
    h.webhookOff();
    const due = new Date(Date.now() + 20 * 24 * 3600_000).toISOString().slice(0, 10);
    const key = h.sandbox.createIssue({ project: 'OPS', summary: 'Missed by webhooks', labels: ['custom-request'], originalEstimate: '2d', dueDate: due }).key;
    await eventually(() => show(key).label === 'pool-no-limit' && show(key).comments.length === 1, 'the scheduled sweep to label the request', 20_000, 100);
    const res = await h.api('GET', '/api/v1/tenants/acme/sweeps/last');
    expect(res.status).toBe(200);
    expect(res.body.schedule).toMatchObject({ everyMs: 3000 });
    const last = await eventually(async () => {
      const r = await h.api('GET', '/api/v1/tenants/acme/sweeps/last');
      return r.body.last?.trigger === 'schedule' ? r.body.last : null;
    }, 'a scheduled sweep in the report');
    expect(last).toMatchObject({ tenant: 'acme', status: 'completed' });
  });
});

describe('admin API: the last sweep of a tenant', () => {
  let h: SweepStack;
  const VIEWER = 'viewer-token-for-acme-only-0123';
  const OTHER = 'admin-token-for-beta-only-01234';

  beforeAll(async () => {
    h = await startSweepStack({
      webhook: false,
      adminTokens: [
        { token: VIEWER, role: 'viewer', tenants: ['acme'] },
        { token: OTHER, role: 'admin', tenants: ['beta'] },
      ],
      // A second tenant whose API token Jira refuses.
      tenants: [{ id: 'beta', apiToken: 'not-the-right-token' }],
    });
    await h.setPool('CR', Q, 10, 80);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 401 without a token, 403 for a token of another tenant, 404 for an unknown tenant', async () => {
    expect((await h.api('GET', '/api/v1/tenants/acme/sweeps/last', undefined, 'wrong-token-0123456789')).status).toBe(401);
    expect((await h.api('GET', '/api/v1/tenants/acme/sweeps/last', undefined, OTHER)).status).toBe(403);
    expect((await h.api('GET', '/api/v1/tenants/nope/sweeps/last')).status).toBe(404);
    expect((await h.api('POST', '/api/v1/tenants/acme/sweeps', undefined, VIEWER)).status).toBe(403);
  });

  it('reports no sweep before the first one', async () => {
    const res = await h.api('GET', '/api/v1/tenants/acme/sweeps/last', undefined, VIEWER);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tenant: 'acme', last: null, running: null, schedule: null });
  });

  it('reports when the last sweep ran, what it saw and what it repaired, after an admin asked for one', async () => {
    const key = h.sandbox.createIssue({ project: 'CR', summary: 'Missed', labels: ['custom-request'], originalEstimate: '2d', dueDate: DUE }).key;
    const asked = await h.api('POST', '/api/v1/tenants/acme/sweeps');
    expect(asked).toEqual({ status: 202, body: { queued: true, tenant: 'acme' } });
    const last = await eventually(async () => (await h.api('GET', '/api/v1/tenants/acme/sweeps/last', undefined, VIEWER)).body.last, 'the sweep to finish');
    await h.settle();
    expect(last).toMatchObject({
      tenant: 'acme',
      trigger: 'admin',
      status: 'completed',
      ticketsSeen: 1,
      ticketsInRange: 1,
      ledger: { added: 1, updated: 0, deleted: 0, excluded: 0, movedOut: 0 },
      poolsRecomputed: 1,
      writeBacksQueued: 1,
      drift: { labels: 0, badges: 0, comments: 0 },
      errorCount: 0,
      errors: [],
    });
    expect(Date.parse(last.finishedAt)).toBeGreaterThanOrEqual(Date.parse(last.startedAt));
    expect(last.durationMs).toBeGreaterThanOrEqual(0);
    expect(last.quarters.from <= Q && Q <= last.quarters.to).toBe(true);
    expect(shownOn(h.sandbox, key).label).toBe('pool-ok');
  });

  it('reports a sweep that failed, with the tracker error, and keeps the other tenant unaffected', async () => {
    const outcome = await h.reconcile({ tenant: 'beta' });
    expect(outcome).toMatchObject({ kind: 'swept', report: { status: 'failed', errorCount: 1 } });
    const res = await h.api('GET', '/api/v1/tenants/beta/sweeps/last', undefined, OTHER);
    expect(res.status).toBe(200);
    expect(res.body.last).toMatchObject({ tenant: 'beta', status: 'failed', errors: [{ ticket: null }] });
    expect(res.body.last.errors[0].message).toMatch(/auth|authenticat/i);
    expect((await h.api('GET', '/api/v1/tenants/acme/sweeps/last')).body.last.status).toBe('completed');
  });
});
