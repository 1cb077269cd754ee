/**
 * Pool Guard end to end on Linear: a sales rep changes issues in the sandbox Linear through the
 * real @linear/sdk client, the sandbox sends signed webhooks, and Pool Guard's pool label, single
 * comment and badge attachment follow. Pool Guard's own writes come back as webhooks (echoes).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SANDBOX_SEED } from '@pool-guard/plugin-linear/sandbox';
import { LINEAR_TENANT, shownOnLinear, startLinearStack, type LinearStack } from './support/linear-stack.js';

const Q = '2026-Q4';
const DUE = '2026-11-20';
const TITLE = 'Custom-work pool';

/** Bot requests (queries and mutations) whose variables name this issue. */
function botRequestsAbout(h: LinearStack, issueId: string, since: number) {
  return h.linear.requestLog.entries.filter(
    (e) => e.userId === SANDBOX_SEED.botUserId && e.at >= since && JSON.stringify(e.variables).includes(issueId),
  );
}

describe('Linear end to end: one pool through its life', () => {
  let h: LinearStack;
  const keys: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await startLinearStack();
    await h.setPool('ENG', Q, 10, 80);
  });
  afterAll(async () => {
    await h?.close();
  });

  const show = (name: string) => shownOnLinear(h.linear, keys[name]!);
  const file = async (name: string, input: Parameters<LinearStack['sales']['file']>[0]) => {
    const created = await h.sales.file(input);
    keys[name] = created.identifier;
    ids[name] = created.id;
  };

  it('labels, comments and badges new requests in rank order', async () => {
    await file('A', { team: 'ENG', title: 'SSO for Initech', labels: ['custom-request'], estimate: 3, dueDate: DUE });
    await file('B', { team: 'ENG', title: 'CSV export for Globex', labels: ['custom-request', 'feature'], estimate: 2, dueDate: DUE });
    await file('C', { team: 'ENG', title: 'Custom report for Acme', labels: ['custom-request'], estimate: 3, dueDate: DUE });
    await file('D', { team: 'ENG', title: 'Audit log export for Umbrella', labels: ['custom-request'], estimate: 5, dueDate: DUE });
    await file('N', { team: 'ENG', title: 'Not sized yet', labels: ['custom-request'], dueDate: DUE });
    await file('P', { team: 'ENG', title: 'Plain product work', labels: ['feature'], estimate: 8, dueDate: DUE });
    await h.settle();

    // 3 + 2 + 3 = 8 of 10: in, and at the 80 % warning; D (5) does not fit and waits.
    expect(show('A').label).toBe('pool-near-limit');
    expect(show('B').label).toBe('pool-near-limit');
    expect(show('C').label).toBe('pool-near-limit');
    expect(show('D').label).toBe('pool-over-limit');
    expect(show('N').label).toBe('pool-needs-estimate');
    expect(show('B').issue.labels).toEqual(expect.arrayContaining(['custom-request', 'feature']));
    // Work that is not a custom request is left alone.
    expect(show('P').label).toBeNull();
    expect(show('P').comments).toHaveLength(0);
    expect(show('P').issue.attachments).toHaveLength(0);

    for (const name of ['A', 'B', 'C', 'D', 'N']) {
      expect(show(name).comments).toHaveLength(1);
      expect(show(name).badges).toHaveLength(1);
      expect(show(name).badge!.title).toBe(TITLE);
    }
    expect(show('C').badge!.subtitle).toBe('2026-Q4 · 8 of 10 days · near limit · rank 3');
    expect(show('D').badge!.subtitle).toBe('2026-Q4 · 8 of 10 days · over limit · rank 4');
    expect(show('N').badge!.subtitle).toBe('2026-Q4 · needs an estimate · rank 5');
    expect(show('C').badge!.url).toBe(`https://pool-guard.invalid/linear/${keys.C}`);
    expect(show('C').badge!.metadata).toEqual({ quarter: Q, scope: 'ENG', state: 'near-limit', usedDays: 8, limitDays: 10, days: 3, rank: 3 });

    const comment = show('D').comment!;
    expect(comment.split('\n')[0]).toBe(`**${TITLE}**`);
    expect(comment).toContain(Q);
    expect(comment).toContain('ENG');
    expect(comment).toMatch(/8 of 10 days/);
    expect(comment).toMatch(/5 days/);

    // The pool labels were created once, in the team, by Pool Guard.
    const poolLabels = [...h.linear.store.labels.values()].filter((l) => l.name.startsWith('pool-'));
    expect(poolLabels.map((l) => l.name).sort()).toEqual(['pool-near-limit', 'pool-needs-estimate', 'pool-over-limit']);
    expect(poolLabels.every((l) => l.teamId === SANDBOX_SEED.teams.ENG && l.creatorId === SANDBOX_SEED.botUserId)).toBe(true);

    const pool = await h.pool('ENG', Q);
    expect(pool).toMatchObject({ limitDays: 10, usedDays: 8, warnAtPercent: 80 });
    expect(pool.requests.map((r: any) => [r.key, r.days, r.rank, r.state])).toEqual([
      [keys.A, 3, 1, 'near-limit'],
      [keys.B, 2, 2, 'near-limit'],
      [keys.C, 3, 3, 'near-limit'],
      [keys.D, 5, 4, 'over-limit'],
      [keys.N, null, 5, 'needs-estimate'],
    ]);
  });

  it('edits the one comment in place when an estimate change lets a request in', async () => {
    const before = show('D').comments[0]!;
    const badgeBefore = show('D').badge!;
    await h.sales.update(keys.D!, { estimate: 2 });
    await h.settle();
    // 3 + 2 + 3 + 2 = 10 of 10: everyone is in.
    for (const name of ['A', 'B', 'C', 'D']) expect(show(name).label).toBe('pool-near-limit');
    expect(show('D').comments).toHaveLength(1);
    expect(show('D').comments[0]!.id).toBe(before.id);
    expect(show('D').comments[0]!.editedAt).not.toBeNull();
    expect(show('D').comment).not.toBe(before.body);
    expect(show('D').comment).toMatch(/10 of 10 days/);
    // The badge is the same attachment, updated (Linear upserts by URL).
    expect(show('D').badges).toHaveLength(1);
    expect(show('D').badge!.id).toBe(badgeBefore.id);
    expect(show('D').badge!.subtitle).toBe('2026-Q4 · 10 of 10 days · near limit · rank 4');
  });

  it('follows a re-order (sortOrder): the request moved up gets in, the one pushed down waits', async () => {
    await h.sales.update(keys.D!, { estimate: 4 });
    await h.settle();
    expect(show('D').label).toBe('pool-over-limit'); // A3 + B2 + C3 = 8, D4 does not fit

    await h.sales.update(keys.D!, { sortOrder: show('A').issue.sortOrder - 100 });
    await h.settle();
    // Order D4, A3, B2, C3: D, A and B fit (9), C does not.
    expect(show('D').label).toBe('pool-near-limit');
    expect(show('A').label).toBe('pool-near-limit');
    expect(show('B').label).toBe('pool-near-limit');
    expect(show('C').label).toBe('pool-over-limit');
    expect(show('D').badge!.subtitle).toBe('2026-Q4 · 9 of 10 days · near limit · rank 1');
    expect(show('C').badge!.subtitle).toBe('2026-Q4 · 9 of 10 days · over limit · rank 4');
    for (const name of ['A', 'B', 'C', 'D']) {
      expect(show(name).comments).toHaveLength(1);
      expect(show(name).badges).toHaveLength(1);
    }
  });

  it('charges started work first (committed), and writes nothing when it is completed', async () => {
    await h.sales.moveTo(keys.C!, 'started');
    await h.settle();
    // Committed first: C3, then D4, A3 (10); B2 no longer fits.
    expect(show('C').label).toBe('pool-near-limit');
    expect(show('B').label).toBe('pool-over-limit');
    const pool = await h.pool('ENG', Q);
    expect(pool.requests.map((r: any) => [r.key, r.standing])).toEqual([
      [keys.C, 'committed'],
      [keys.D, 'admitted'],
      [keys.A, 'admitted'],
      [keys.B, 'waiting'],
      [keys.N, 'unsized'],
    ]);
    expect(pool.committedDays).toBe(3);

    const since = Date.now();
    await h.sales.moveTo(keys.C!, 'completed');
    await h.settle();
    expect(h.botWrites(since)).toBe(0);
    expect((await h.pool('ENG', Q)).requests[0]).toMatchObject({ key: keys.C, standing: 'committed' });
  });

  it('gives back the days of a canceled request, and says so on it', async () => {
    const commentId = show('D').comments[0]!.id;
    await h.sales.moveTo(keys.D!, 'canceled');
    await h.settle();
    expect(show('D').label).toBeNull();
    expect(show('D').badges).toHaveLength(0);
    expect(show('D').comments).toHaveLength(1);
    expect(show('D').comments[0]!.id).toBe(commentId);
    expect(show('D').comment).toContain('**No longer counted: canceled.**');
    expect(show('D').comment).not.toMatch(/of 10 days/);
    // C3 + A3 + B2 = 8: B is back in.
    expect(show('B').label).toBe('pool-near-limit');
    const pool = await h.pool('ENG', Q);
    expect(pool.usedDays).toBe(8);
    expect(pool.requests.map((r: any) => r.key)).not.toContain(keys.D);
  });

  it('writes nothing when a change does not move the pool', async () => {
    const since = Date.now();
    await h.sales.update(keys.A!, { title: 'SSO for Initech (SAML)' });
    await h.sales.comment(keys.A!, 'Customer confirmed the IdP is Okta.');
    await h.sales.update(keys.P!, { estimate: 13 });
    await h.settle();
    expect(h.botWrites(since)).toBe(0);
    expect((await h.pool('ENG', Q)).requests.find((r: any) => r.key === keys.A).title).toBe('SSO for Initech (SAML)');
  });

  it('gives the days back when the label is removed, and keeps the other labels', async () => {
    await h.sales.removeLabel(keys.B!, 'custom-request');
    await h.settle();
    expect(show('B').label).toBeNull();
    expect(show('B').badges).toHaveLength(0);
    expect(show('B').comments).toHaveLength(1);
    expect(show('B').comment).toContain('**No longer counted.**');
    expect(show('B').issue.labels).toEqual(['feature']);
    expect((await h.pool('ENG', Q)).usedDays).toBe(6);
    // C3 + A3 = 6 of 10: below the warning now.
    expect(show('A').label).toBe('pool-ok');
    expect(show('A').badge!.subtitle).toBe('2026-Q4 · 6 of 10 days · within limit · rank 2');
  });

  it('gives the days back when an issue is trashed or archived, writes nothing to it, and relabels the rest', async () => {
    await file('E', { team: 'ENG', title: 'Data residency for Hooli', labels: ['custom-request'], estimate: 6, dueDate: DUE });
    await h.settle();
    expect(show('E').label).toBe('pool-over-limit'); // C3 + A3 = 6; E6 does not fit

    let since = Date.now();
    await h.sales.trash(keys.A!); // Linear "Delete": webhook `remove`, issue in the trash
    await h.settle();
    expect(h.linear.issue(keys.A!)!.trashed).toBe(true);
    expect(botRequestsAbout(h, ids.A!, since).filter((e) => e.operationType === 'mutation')).toHaveLength(0);
    // C3 + E6 = 9: E is in, at the warning.
    expect(show('E').label).toBe('pool-near-limit');
    expect(show('C').label).toBe('pool-near-limit');
    // Order: C (committed), N (unsized, filed before E), E.
    expect(show('E').badge!.subtitle).toBe('2026-Q4 · 9 of 10 days · near limit · rank 3');
    expect((await h.pool('ENG', Q)).requests.map((r: any) => r.key)).not.toContain(keys.A);

    since = Date.now();
    await h.sales.archive(keys.E!); // webhook `update` with archivedAt set
    await h.settle();
    expect(botRequestsAbout(h, ids.E!, since).filter((e) => e.operationType === 'mutation')).toHaveLength(0);
    expect(show('C').label).toBe('pool-ok');
    expect(show('C').badge!.subtitle).toBe('2026-Q4 · 3 of 10 days · within limit · rank 1');
    const pool = await h.pool('ENG', Q);
    expect(pool.usedDays).toBe(3);
    expect(pool.requests.map((r: any) => r.key)).toEqual([keys.C, keys.N]);
    // Exactly one Pool Guard comment on every issue it ever wrote to.
    for (const name of ['A', 'B', 'C', 'D', 'E', 'N']) expect(show(name).comments).toHaveLength(1);
  });

  it('counts an issue again when it is restored from the trash or unarchived, with the right label', async () => {
    await h.sales.client.unarchiveIssue(ids.A!); // "Restore" from the trash
    await h.sales.client.unarchiveIssue(ids.E!);
    await h.settle();
    // C3 (committed) + A3 = 6; E6 does not fit any more and waits.
    expect(show('A').label).toBe('pool-ok');
    expect(show('A').badge!.subtitle).toBe('2026-Q4 · 6 of 10 days · within limit · rank 2');
    expect(show('E').label).toBe('pool-over-limit');
    expect(show('E').badge!.subtitle).toBe('2026-Q4 · 6 of 10 days · over limit · rank 4');
    expect(show('C').badge!.subtitle).toBe('2026-Q4 · 6 of 10 days · within limit · rank 1');
    for (const name of ['A', 'C', 'E']) {
      expect(show(name).comments).toHaveLength(1);
      expect(show(name).badges).toHaveLength(1);
    }
    const pool = await h.pool('ENG', Q);
    expect(pool.usedDays).toBe(6);
    expect(pool.requests.map((r: any) => r.key)).toEqual([keys.C, keys.A, keys.N, keys.E]);
  });

  it('ignores its own writes (echoes) and changes made by its account', async () => {
    // Pool Guard's writes came back as webhooks signed with its user as the actor...
    const echoes = h.linear.deliveries.filter((d) => JSON.parse(d.lastBody).actor?.id === SANDBOX_SEED.botUserId);
    expect(echoes.filter((d) => d.event === 'Issue').length).toBeGreaterThan(0);
    expect(echoes.filter((d) => d.event === 'Comment').length).toBeGreaterThan(0);
    const poolLabels = [...h.linear.store.labels.values()].filter((l) => l.name.startsWith('pool-'));
    expect(echoes.filter((d) => d.event === 'IssueLabel')).toHaveLength(poolLabels.length);
    // ...and caused nothing: a quiet system stays quiet.
    const writes = h.botWrites();
    await new Promise((r) => setTimeout(r, 300));
    await h.settle();
    expect(h.botWrites()).toBe(writes);

    // A change by Pool Guard's own account is an echo: even an issue it files with the label.
    const own = await h.linear.createIssue({ team: 'ENG', title: 'Made by the bot', labels: ['custom-request'], estimate: 1, dueDate: DUE }, 'bot');
    await h.settle();
    expect(shownOnLinear(h.linear, own.identifier).label).toBeNull();
    expect(shownOnLinear(h.linear, own.identifier).comments).toHaveLength(0);
    expect(h.botWrites()).toBe(writes);
  });

  it('answers Linear exactly 200 for accepted, duplicate and ignored deliveries', async () => {
    // Every delivery so far (accepted issue and comment events, echoes, ignored label events) got 200 at once.
    expect(h.linear.deliveries.length).toBeGreaterThan(30);
    for (const d of h.linear.deliveries) {
      expect(d.state).toBe('delivered');
      expect(d.statuses).toEqual([200]);
    }
    const ignoredLabelEvents = h.linear.deliveries.filter((d) => d.event === 'IssueLabel');
    expect(ignoredLabelEvents.length).toBeGreaterThan(0);

    // Accepted, then the same delivery again (Linear's retry), then an event type Pool Guard does not use.
    const issue = h.linear.issue(keys.C!)!;
    const body = {
      action: 'update',
      type: 'Issue',
      actor: { id: SANDBOX_SEED.salesUserId, name: 'Sam Seller', type: 'user' },
      data: { id: issue.id, identifier: issue.identifier, updatedAt: issue.updatedAt, trashed: null, archivedAt: null },
      organizationId: SANDBOX_SEED.organizationId,
      createdAt: new Date().toISOString(),
    };
    const raw = JSON.stringify({ ...body, webhookTimestamp: Date.now() });
    const deliveryId = `e2e-${Date.now()}`;
    const accepted = await h.postLinearWebhook(body, { deliveryId, raw });
    expect(accepted).toEqual({ status: 200, body: { status: 'accepted', events: 1 } });
    const duplicate = await h.postLinearWebhook(body, { deliveryId, raw });
    expect(duplicate).toEqual({ status: 200, body: { status: 'duplicate' } });
    const ignored = await h.postLinearWebhook({ action: 'create', type: 'Project', data: { id: 'p1', name: 'Q4 launch' } });
    expect(ignored).toEqual({ status: 200, body: { status: 'ignored', event: 'Project.create' } });
    // Not 200: a bad signature, a stale timestamp and a body that is not a Linear event are refused.
    const forged = await fetch(`${h.url}/webhooks/linear/${LINEAR_TENANT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'linear-signature': '00'.repeat(32), 'linear-delivery': 'forged-1' },
      body: raw,
    });
    expect(forged.status).toBe(401);
    const stale = await h.postLinearWebhook(body, { raw: JSON.stringify({ ...body, webhookTimestamp: Date.now() - 61_000 }) });
    expect(stale.status).toBe(401);
    const notLinear = await h.postLinearWebhook({ hello: 'world' });
    expect(notLinear.status).toBe(400);
    await h.settle();
  });
});

describe('Linear end to end: rate limits and team estimate scales', () => {
  let h: LinearStack;
  beforeAll(async () => {
    h = await startLinearStack({ tenant: { daysPerPoint: 1, daysPerPointByScope: { OPS: 0.5 } } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('waits out RATELIMITED answers and still lands the final state, with no write lost', async () => {
    await h.setPool('ENG', '2026-Q3', 5);
    h.linear.faults.add({ operation: 'PoolGuardFetchTicket', kind: 'ratelimited', times: 1, resetInMs: 1000 });
    h.linear.faults.add({ operation: 'commentCreate', kind: 'ratelimited', times: 1, resetInMs: 1000 });
    h.linear.faults.add({ operation: 'attachmentCreate', kind: 'http429', times: 1, retryAfterSeconds: 1 });
    const started = Date.now();
    const t = await h.sales.file({ team: 'ENG', title: 'Rush job', labels: ['custom-request'], estimate: 2, dueDate: '2026-08-01' });
    await h.settle(30_000);
    const elapsed = Date.now() - started;

    const shown = shownOnLinear(h.linear, t.identifier);
    expect(shown.label).toBe('pool-ok');
    expect(shown.comments).toHaveLength(1);
    expect(shown.badges).toHaveLength(1);
    expect(shown.badge!.subtitle).toBe('2026-Q3 · 2 of 5 days · within limit · rank 1');
    const refused = h.linear.requestLog.entries.filter((e) => e.rejected === 'ratelimited' || e.rejected === 'http429');
    // The ticket read, then the write-back's one document (label, comment and badge) twice.
    expect(refused.map((e) => [e.rejected, e.httpStatus, e.rootFields.join('+')])).toEqual([
      ['ratelimited', 400, 'issue'],
      ['ratelimited', 400, 'issueUpdate+commentCreate+attachmentCreate'],
      ['http429', 429, 'issueUpdate+commentCreate+attachmentCreate'],
    ]);
    expect(h.linear.faults.pending()).toEqual([]);
    // Each limit was waited out (about 1 s each), not hammered.
    expect(elapsed).toBeGreaterThanOrEqual(2500);
    // Refused twice, written once: one comment, as asserted above.
    const attempts = h.linear.requestLog.entries.filter((e) => e.userId === SANDBOX_SEED.botUserId && e.rootFields.includes('commentCreate'));
    expect(attempts).toHaveLength(3);
  });

  it('sizes each team with its own days per point (daysPerPointByScope)', async () => {
    await h.setPool('OPS', '2026-Q2', 4);
    await h.setPool('ENG', '2026-Q2', 4);
    const ops = await h.sales.file({ team: 'OPS', title: 'Custom on-call rota', labels: ['custom-request'], estimate: 4, dueDate: '2026-05-01' });
    const eng = await h.sales.file({ team: 'ENG', title: 'Custom SLA report', labels: ['custom-request'], estimate: 4, dueDate: '2026-05-01' });
    await h.settle();
    // OPS: 4 points × 0.5 = 2 days; ENG: 4 points × 1 = 4 days.
    expect(shownOnLinear(h.linear, ops.identifier).badge!.metadata).toMatchObject({ scope: 'OPS', days: 2, usedDays: 2 });
    expect(shownOnLinear(h.linear, ops.identifier).label).toBe('pool-ok');
    expect(shownOnLinear(h.linear, eng.identifier).badge!.metadata).toMatchObject({ scope: 'ENG', days: 4, usedDays: 4 });
    expect(shownOnLinear(h.linear, eng.identifier).label).toBe('pool-near-limit');
    expect((await h.pool('OPS', '2026-Q2')).usedDays).toBe(2);
    expect((await h.pool('ENG', '2026-Q2')).usedDays).toBe(4);
  });

  it('treats in-progress work as committed, even past the limit', async () => {
    await h.setPool('ENG', '2026-Q1', 4);
    const big = await h.sales.file({ team: 'ENG', title: 'Already started', labels: ['custom-request'], estimate: 5, dueDate: '2026-02-01', state: 'started' });
    const small = await h.sales.file({ team: 'ENG', title: 'Waiting', labels: ['custom-request'], estimate: 1, dueDate: '2026-02-02', state: 'unstarted' });
    await h.settle();
    expect(shownOnLinear(h.linear, big.identifier).label).toBe('pool-near-limit');
    expect(shownOnLinear(h.linear, small.identifier).label).toBe('pool-over-limit');
    expect(shownOnLinear(h.linear, big.identifier).badge!.subtitle).toBe('2026-Q1 · 5 of 4 days · overdrawn · rank 1');
    expect(shownOnLinear(h.linear, big.identifier).comment).toMatch(/overdrawn|exceed/i);
    expect((await h.pool('ENG', '2026-Q1')).usedDays).toBe(5);
  });
});

describe('Linear end to end: two workers racing for the last days', () => {
  let h: LinearStack;
  beforeAll(async () => {
    h = await startLinearStack({ instances: 2, concurrency: 16 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('never admits two requests into room for one', async () => {
    await h.setPool('ENG', '2026-Q1', 5);
    const keys: string[] = [];
    for (let i = 0; i < 6; i++) {
      keys.push((await h.sales.file({ team: 'ENG', title: `Race ${i}`, labels: ['custom-request'], estimate: 3, dueDate: '2026-02-10' })).identifier);
    }
    await h.settle(30_000);
    const labels = keys.map((k) => shownOnLinear(h.linear, k).label);
    expect(labels.filter((l) => l === 'pool-near-limit' || l === 'pool-ok')).toHaveLength(1);
    expect(labels.filter((l) => l === 'pool-over-limit')).toHaveLength(5);
    // The admitted one is the highest ranked (the first filed): 3 of 5 days is below the warning.
    expect(labels[0]).toBe('pool-ok');
    const pool = await h.pool('ENG', '2026-Q1');
    expect(pool.usedDays).toBe(3);
    for (const k of keys) {
      expect(shownOnLinear(h.linear, k).comments).toHaveLength(1);
      expect(shownOnLinear(h.linear, k).badges).toHaveLength(1);
    }
  });
});
