/**
 * Pool Guard end to end on Jira: a sales rep changes tickets in the sandbox Jira, the sandbox
 * sends signed webhooks, and Pool Guard's labels, single comment and `pool-guard` property follow.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { shownOn, startJiraStack, type JiraStack } from './support/jira-stack.js';

const Q = '2026-Q4';
const DUE = '2026-11-20';

describe('Jira end to end: one pool through its life', () => {
  let h: JiraStack;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    h = await startJiraStack();
    await h.setPool('CR', Q, 10, 80);
  });
  afterAll(async () => {
    await h?.close();
  });

  const show = (name: string) => shownOn(h.sandbox, keys[name]!);

  it('labels, comments and badges new requests in rank order', async () => {
    keys.A = h.sandbox.createIssue({ project: 'CR', summary: 'SSO for Initech', labels: ['custom-request'], originalEstimate: '3d', dueDate: DUE }).key;
    keys.B = h.sandbox.createIssue({ project: 'CR', summary: 'CSV export for Globex', labels: ['custom-request', 'sales'], originalEstimate: '4d', dueDate: DUE }).key;
    keys.C = h.sandbox.createIssue({ project: 'CR', summary: 'Custom report for Acme', labels: ['custom-request'], originalEstimate: '5d', dueDate: DUE }).key;
    keys.N = h.sandbox.createIssue({ project: 'CR', summary: 'Not sized yet', labels: ['custom-request'], dueDate: DUE }).key;
    keys.P = h.sandbox.createIssue({ project: 'CR', summary: 'Plain product work', labels: ['roadmap'], originalEstimate: '8d', dueDate: DUE }).key;
    await h.settle();

    expect(show('A').label).toBe('pool-ok');
    expect(show('B').label).toBe('pool-ok');
    expect(show('C').label).toBe('pool-over-limit');
    expect(show('N').label).toBe('pool-needs-estimate');
    expect(show('B').issue.labels).toContain('sales');
    // Work that is not a custom request is left alone.
    expect(show('P').label).toBeNull();
    expect(show('P').comments).toHaveLength(0);
    expect(show('P').badge).toBeUndefined();

    for (const name of ['A', 'B', 'C', 'N']) expect(show(name).comments).toHaveLength(1);
    expect(show('A').badge).toEqual({ quarter: Q, scope: 'CR', state: 'ok', usedDays: 7, limitDays: 10, days: 3, rank: 1 });
    expect(show('C').badge).toMatchObject({ state: 'over-limit', days: 5, rank: 3, usedDays: 7, limitDays: 10 });
    expect(show('N').badge).toMatchObject({ state: 'needs-estimate', days: null });

    const comment = show('C').comment!;
    expect(comment).toContain(Q);
    expect(comment).toContain('CR');
    expect(comment).toMatch(/7 of 10 days/);
    expect(comment).toMatch(/5 days/);

    const pool = await h.pool('CR', Q);
    expect(pool).toMatchObject({ limitDays: 10, usedDays: 7, warnAtPercent: 80 });
    expect(pool.requests.map((r: any) => [r.key, r.days, r.rank, r.state])).toEqual([
      [keys.A, 3, 1, 'ok'],
      [keys.B, 4, 2, 'ok'],
      [keys.C, 5, 3, 'over-limit'],
      [keys.N, null, 4, 'needs-estimate'],
    ]);
  });

  it('edits the one comment in place when an estimate change lets a request in', async () => {
    const commentIdBefore = show('C').comments[0]!.id;
    h.sandbox.editIssue(keys.B!, { originalEstimate: '1d' });
    await h.settle();
    // 3 + 1 + 5 = 9 of 10: everyone is in, and the pool is past its 80 % warning.
    expect(show('A').label).toBe('pool-near-limit');
    expect(show('B').label).toBe('pool-near-limit');
    expect(show('C').label).toBe('pool-near-limit');
    expect(show('C').comments).toHaveLength(1);
    expect(show('C').comments[0]!.id).toBe(commentIdBefore);
    expect(show('C').comment).toMatch(/9 of 10 days/);
    expect(show('B').badge).toMatchObject({ days: 1, usedDays: 9, state: 'near-limit' });
  });

  it('follows a re-rank: the request moved up gets in, the one pushed down waits', async () => {
    h.sandbox.editIssue(keys.B!, { originalEstimate: '4d' });
    await h.settle();
    expect(show('C').label).toBe('pool-over-limit'); // A3 + B4 = 7, C5 does not fit

    h.sandbox.rankIssue(keys.C!, { before: keys.A! });
    await h.settle();
    // Order C5, A3, B4: C and A fit (8), B does not.
    expect(show('C').label).toBe('pool-near-limit');
    expect(show('A').label).toBe('pool-near-limit');
    expect(show('B').label).toBe('pool-over-limit');
    expect(show('C').badge).toMatchObject({ rank: 1 });
    expect(show('B').badge).toMatchObject({ rank: 3, state: 'over-limit' });
    for (const name of ['A', 'B', 'C']) expect(show(name).comments).toHaveLength(1);
  });

  it('writes nothing when a change does not move the pool', async () => {
    const before = h.sandbox.countWrites({ accountId: h.sandbox.users.bot.accountId });
    h.sandbox.editIssue(keys.A!, { summary: 'SSO for Initech (SAML)' });
    h.sandbox.addComment(keys.A!, 'Customer confirmed the IdP is Okta.');
    await h.settle();
    expect(h.sandbox.countWrites({ accountId: h.sandbox.users.bot.accountId })).toBe(before);
  });

  it('moves a request that changes quarter to its new pool and updates the old one', async () => {
    h.sandbox.editIssue(keys.C!, { dueDate: '2027-01-15' });
    await h.settle();
    expect(show('C').label).toBe('pool-no-limit');
    expect(show('C').badge).toMatchObject({ quarter: '2027-Q1', state: 'no-limit', limitDays: null });
    expect(show('C').comments).toHaveLength(1);
    expect(show('C').comment).toContain('2027-Q1');
    // C left Q4: A3 + B4 = 7 now fit again, below the 80 % warning.
    expect(show('A').label).toBe('pool-ok');
    expect(show('B').label).toBe('pool-ok');
    expect((await h.pool('CR', Q)).usedDays).toBe(7);
  });

  it('gives the days back when the label is removed, and says so on the ticket', async () => {
    h.sandbox.editIssue(keys.B!, { labels: { remove: ['custom-request'] } });
    await h.settle();
    expect(show('B').label).toBeNull();
    expect(show('B').badge).toBeUndefined();
    expect(show('B').comments).toHaveLength(1);
    expect(show('B').comment).not.toMatch(/\d+ of 10 days used/);
    expect(show('B').issue.labels).toContain('sales');
    expect((await h.pool('CR', Q)).usedDays).toBe(3);
    expect(show('A').badge).toMatchObject({ usedDays: 3, state: 'ok' });
  });

  it('gives the days back when a ticket is deleted, and writes nothing to it', async () => {
    h.sandbox.editIssue(keys.B!, { labels: { add: ['custom-request'] } });
    await h.settle();
    expect(show('B').label).toBe('pool-ok');
    const bBadge = show('B').badge;
    expect(bBadge).toMatchObject({ usedDays: 7 });

    const bot = h.sandbox.users.bot.accountId;
    const since = Date.now();
    const deletedKey = keys.A!;
    h.sandbox.deleteIssue(deletedKey);
    await h.settle();
    expect(h.sandbox.issue(deletedKey)).toBeUndefined();
    const writesToDeleted = h.sandbox.requestLog.filter((e) => e.accountId === bot && e.at >= since && e.method !== 'GET' && e.path.includes(`/${deletedKey}`));
    expect(writesToDeleted).toHaveLength(0);
    expect(show('B').badge).toMatchObject({ usedDays: 4, rank: 1 });
    expect((await h.pool('CR', Q)).requests.map((r: any) => r.key)).not.toContain(deletedKey);
  });

  it('ignores its own changes (no echo loop) and changes made by its account', async () => {
    const bot = h.sandbox.users.bot.accountId;
    // A change by Pool Guard's own account is an echo: even adding the label does not count.
    const own = h.sandbox.createIssue({ project: 'CR', summary: 'Made by the bot', labels: ['custom-request'], originalEstimate: '1d', dueDate: DUE }, { as: 'bot' });
    await h.settle();
    expect(shownOn(h.sandbox, own.key).label).toBeNull();
    const writes = h.sandbox.countWrites({ accountId: bot });
    await h.settle();
    expect(h.sandbox.countWrites({ accountId: bot })).toBe(writes);
    // Every webhook of the bot's own writes was delivered and dropped.
    expect(h.sandbox.deliveries.every((d) => d.outcome === 'delivered')).toBe(true);
  });
});

describe('Jira end to end: the tracker pushes back', () => {
  let h: JiraStack;
  beforeAll(async () => {
    h = await startJiraStack();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('waits out a 429 with Retry-After and still lands the final state', async () => {
    await h.setPool('OPS', '2026-Q3', 5);
    h.sandbox.faults.add({ method: 'POST', path: /\/comment$/, status: 429, retryAfterSeconds: 1, times: 2 });
    const t = h.sandbox.createIssue({ project: 'OPS', summary: 'Rush job', labels: ['custom-request'], storyPoints: 2, dueDate: '2026-08-01' });
    await h.settle(30_000);
    const shown = shownOn(h.sandbox, t.key);
    expect(shown.label).toBe('pool-ok');
    expect(shown.comments).toHaveLength(1);
    expect(shown.badge).toMatchObject({ quarter: '2026-Q3', days: 2, limitDays: 5 });
    const throttled = h.sandbox.requestLog.filter((e) => e.status === 429);
    expect(throttled.length).toBe(2);
  });

  it('treats in-progress work as committed, even past the limit', async () => {
    await h.setPool('OPS', '2026-Q2', 4);
    const big = h.sandbox.createIssue({ project: 'OPS', summary: 'Already started', labels: ['custom-request'], originalEstimate: '5d', dueDate: '2026-05-01', status: 'In Progress' });
    const small = h.sandbox.createIssue({ project: 'OPS', summary: 'Waiting', labels: ['custom-request'], originalEstimate: '1d', dueDate: '2026-05-02' });
    await h.settle();
    expect(shownOn(h.sandbox, big.key).label).toBe('pool-near-limit');
    expect(shownOn(h.sandbox, small.key).label).toBe('pool-over-limit');
    expect(shownOn(h.sandbox, big.key).comment).toMatch(/overdrawn|exceed/i);
    expect((await h.pool('OPS', '2026-Q2')).usedDays).toBe(5);
  });
});

describe('Jira end to end: two workers racing for the last days', () => {
  let h: JiraStack;
  beforeAll(async () => {
    h = await startJiraStack({ instances: 2, concurrency: 16 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('never admits two requests into room for one', async () => {
    await h.setPool('CR', '2026-Q1', 5);
    const keys: string[] = [];
    for (let i = 0; i < 6; i++) {
      keys.push(h.sandbox.createIssue({ project: 'CR', summary: `Race ${i}`, labels: ['custom-request'], originalEstimate: '3d', dueDate: '2026-02-10' }).key);
    }
    await h.settle(30_000);
    const labels = keys.map((k) => shownOn(h.sandbox, k).label);
    expect(labels.filter((l) => l === 'pool-near-limit' || l === 'pool-ok')).toHaveLength(1);
    expect(labels.filter((l) => l === 'pool-over-limit')).toHaveLength(5);
    // The admitted one is the highest ranked (the first created).
    expect(labels[0]).toBe('pool-ok'); // 3 of 5 days: below the 80 % warning
    const pool = await h.pool('CR', '2026-Q1');
    expect(pool.usedDays).toBe(3);
    for (const k of keys) expect(shownOn(h.sandbox, k).comments).toHaveLength(1);
  });
});
