/**
 * The sandbox Linear, driven by the real @linear/sdk 88.3.0 client: every operation Pool Guard uses,
 * Linear's error classes, pagination, attachment upserts, webhooks and the HTML pages.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AuthenticationLinearError,
  ForbiddenLinearError,
  GraphqlLinearError,
  InternalLinearError,
  InvalidInputLinearError,
  LinearClient,
  RatelimitedLinearError,
} from '@linear/sdk';
import express from 'express';
import { verifySignature } from '../src/verify-signature.js';
import { createLinearSandbox, SANDBOX_SEED, type LinearSandbox } from '../sandbox/index.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

const { botApiKey, salesApiKey, botUserId, salesUserId } = SANDBOX_SEED;

let sandbox: LinearSandbox;
let apiUrl: string;
let sales: LinearClient;
let bot: LinearClient;

beforeAll(async () => {
  sandbox = createLinearSandbox({ webhookRetryDelaysMs: [20, 20, 20] });
  apiUrl = await sandbox.listen();
  sales = new LinearClient({ apiKey: salesApiKey, apiUrl });
  bot = new LinearClient({ apiKey: botApiKey, apiUrl });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  sandbox.reset();
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the request to fail');
}

describe('the seeded workspace', () => {
  it('has the org, teams ENG and OPS with all six workflow state types, users and labels', async () => {
    const viewer = await bot.viewer;
    expect(viewer).toMatchObject({ id: botUserId, name: 'Pool Guard' });
    expect((await sales.viewer).id).toBe(salesUserId);
    expect((await bot.organization).id).toBe(SANDBOX_SEED.organizationId);
    const teams = await sales.teams();
    expect(teams.nodes.map((t) => t.key).sort()).toEqual(['ENG', 'OPS']);
    const states = await sales.workflowStates({ filter: { team: { key: { eq: 'ENG' } } } });
    expect(states.nodes.map((s) => s.type).sort()).toEqual(['backlog', 'canceled', 'completed', 'started', 'triage', 'unstarted']);
    const labels = await sales.issueLabels({ filter: { name: { eq: 'custom-request' } } });
    expect(labels.nodes.map((l) => l.id)).toEqual([SANDBOX_SEED.labels['custom-request']]);
  });
});

describe('operations through @linear/sdk', () => {
  it('creates, reads, updates, comments, labels, attaches, archives and trashes an issue', async () => {
    const eng = await sales.team('ENG');
    expect(eng.id).toBe(SANDBOX_SEED.teams.ENG);
    const created = await sales.createIssue({
      teamId: eng.id,
      title: 'Acme SSO',
      estimate: 3,
      labelIds: [SANDBOX_SEED.labels['custom-request']],
    });
    expect(created.success).toBe(true);
    const issue = await created.issue;
    expect(issue?.identifier).toBe('ENG-1');

    const byKey = await bot.issue('ENG-1');
    const byId = await bot.issue(issue!.id);
    expect(byId.identifier).toBe('ENG-1');
    expect(byKey).toMatchObject({ id: issue!.id, title: 'Acme SSO', estimate: 3 });
    expect(byKey.trashed).toBeFalsy();
    expect((await byKey.labels()).nodes.map((l) => l.name)).toEqual(['custom-request']);
    expect((await byKey.state)?.type).toBe('backlog');
    expect((await byKey.team)?.key).toBe('ENG');

    const label = await (await bot.createIssueLabel({ name: 'pool-ok', teamId: eng.id, color: '#4cb782' })).issueLabel;
    expect(label?.name).toBe('pool-ok');
    const started = sandbox.store.statesOfTeam(eng.id).find((s) => s.type === 'started')!;
    await bot.updateIssue(issue!.id, { addedLabelIds: [label!.id], estimate: 5, stateId: started.id, sortOrder: -12.5, dueDate: '2026-12-15' });
    let view = sandbox.issue('ENG-1')!;
    expect(view).toMatchObject({ estimate: 5, sortOrder: -12.5, dueDate: '2026-12-15', state: { type: 'started' } });
    expect(view.labels).toEqual(['custom-request', 'pool-ok']);
    await bot.updateIssue(issue!.id, { removedLabelIds: [label!.id] });
    expect(sandbox.issue('ENG-1')!.labels).toEqual(['custom-request']);
    await sales.updateIssue(issue!.id, { labelIds: [SANDBOX_SEED.labels.bug] });
    expect(sandbox.issue('ENG-1')!.labels).toEqual(['bug']);

    const comment = await (await bot.createComment({ issueId: 'ENG-1', body: '**Custom-work pool**\n\nFits.' })).comment;
    await bot.updateComment(comment!.id, { body: '**Custom-work pool**\n\nWaiting.' });
    view = sandbox.issue('ENG-1')!;
    expect(view.comments).toEqual([expect.objectContaining({ id: comment!.id, body: '**Custom-work pool**\n\nWaiting.', userId: botUserId })]);
    expect(view.comments[0]!.editedAt).not.toBeNull();
    expect((await byKey.comments()).nodes.map((c) => c.body)).toEqual(['**Custom-work pool**\n\nWaiting.']);

    const attachment = await (
      await bot.createAttachment({ issueId: issue!.id, url: 'https://pool-guard.invalid/linear/ENG-1', title: 'Custom-work pool', subtitle: 'one' })
    ).attachment;
    expect((await byKey.attachments()).nodes.map((a) => a.subtitle)).toEqual(['one']);
    await bot.deleteAttachment(attachment!.id);
    expect(sandbox.issue('ENG-1')!.attachments).toEqual([]);

    await sales.archiveIssue(issue!.id);
    expect(sandbox.issue('ENG-1')!.archivedAt).not.toBeNull();
    await sales.deleteIssue(issue!.id);
    expect(sandbox.issue('ENG-1')).toMatchObject({ trashed: true });
    // a trashed issue is still readable by id, and gone from lists
    expect((await bot.issue('ENG-1')).trashed).toBe(true);
    expect((await bot.issues()).nodes).toEqual([]);
    expect((await bot.issues({ includeArchived: true })).nodes.map((i) => i.identifier)).toEqual(['ENG-1']);
  });

  it('upserts an attachment created twice with the same url on the same issue', async () => {
    const issue = await sandbox.createIssue({ team: 'ENG', title: 'Upsert me' });
    const url = `https://pool-guard.invalid/linear/${issue.identifier}`;
    const first = await (await bot.createAttachment({ issueId: issue.id, url, title: 'Custom-work pool', subtitle: '2026-Q4 · ok' })).attachment;
    const second = await (
      await bot.createAttachment({ issueId: issue.identifier, url, title: 'Custom-work pool', subtitle: '2026-Q4 · over limit', metadata: { rank: 3 } })
    ).attachment;
    expect(second?.id).toBe(first?.id);
    expect(sandbox.issue(issue.identifier)!.attachments).toEqual([
      expect.objectContaining({ id: first!.id, url, subtitle: '2026-Q4 · over limit', metadata: { rank: 3 } }),
    ]);
    // a different issue with the same url gets its own attachment
    const other = await sandbox.createIssue({ team: 'ENG', title: 'Other' });
    const third = await (await bot.createAttachment({ issueId: other.id, url, title: 'x' })).attachment;
    expect(third?.id).not.toBe(first?.id);
  });

  it('paginates issues forwards with first/after and backwards with last/before, and filters them', async () => {
    for (let i = 1; i <= 7; i += 1) {
      await sandbox.createIssue({ team: i % 2 ? 'ENG' : 'OPS', title: `Issue ${i}`, labels: i <= 5 ? ['custom-request'] : [] });
    }
    const seen: string[] = [];
    let page = await bot.issues({ first: 3 });
    seen.push(...page.nodes.map((n) => n.title));
    expect(page.pageInfo.hasNextPage).toBe(true);
    while (page.pageInfo.hasNextPage) {
      page = await bot.issues({ first: 3, after: page.pageInfo.endCursor ?? null });
      seen.push(...page.nodes.map((n) => n.title));
    }
    expect(seen).toEqual(['Issue 1', 'Issue 2', 'Issue 3', 'Issue 4', 'Issue 5', 'Issue 6', 'Issue 7']);
    // the SDK's own pagination helper works too
    const first = await bot.issues({ first: 4 });
    await first.fetchNext();
    expect(first.nodes).toHaveLength(7);

    const last = await bot.issues({ last: 2 });
    expect(last.nodes.map((n) => n.title)).toEqual(['Issue 6', 'Issue 7']);
    expect(last.pageInfo.hasPreviousPage).toBe(true);
    const before = await bot.issues({ last: 2, before: last.pageInfo.startCursor ?? null });
    expect(before.nodes.map((n) => n.title)).toEqual(['Issue 4', 'Issue 5']);

    const filtered = await bot.issues({
      filter: { team: { key: { in: ['ENG'] } }, labels: { some: { name: { in: ['custom-request'] } } } },
    });
    expect(filtered.nodes.map((n) => n.title)).toEqual(['Issue 1', 'Issue 3', 'Issue 5']);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await bot.issues({ filter: { updatedAt: { gte: future } } })).nodes).toEqual([]);
    expect((await bot.issues({ filter: { updatedAt: { gte: '-P1D' } } })).nodes).toHaveLength(7);
  });

  it('rejects a page larger than 250', async () => {
    expect(await rejection(bot.issues({ first: 251 }))).toBeInstanceOf(InvalidInputLinearError);
  });

  it('looks up labels by name and team, and refuses duplicate names', async () => {
    await bot.createIssueLabel({ name: 'pool-ok', teamId: SANDBOX_SEED.teams.OPS });
    const found = await bot.issueLabels({ filter: { name: { in: ['pool-ok', 'pool-over-limit'] }, team: { key: { eq: 'OPS' } } } });
    expect(found.nodes.map((l) => l.name)).toEqual(['pool-ok']);
    expect(await rejection(bot.createIssueLabel({ name: 'POOL-OK', teamId: SANDBOX_SEED.teams.OPS }))).toBeInstanceOf(InvalidInputLinearError);
    expect(await rejection(bot.createIssueLabel({ name: 'custom-request', teamId: SANDBOX_SEED.teams.ENG }))).toBeInstanceOf(InvalidInputLinearError);
    // the same name in another team is fine
    await bot.createIssueLabel({ name: 'pool-ok', teamId: SANDBOX_SEED.teams.ENG });
  });

  it('refuses a label of another team on an issue', async () => {
    const ops = await sandbox.createIssue({ team: 'OPS', title: 'Ops work' });
    expect(await rejection(bot.updateIssue(ops.id, { addedLabelIds: [SANDBOX_SEED.labels.bug] }))).toBeInstanceOf(InvalidInputLinearError);
  });

  it('answers an unknown issue with "Entity not found" (InvalidInput)', async () => {
    const err = await rejection(bot.issue('ENG-999'));
    expect(err).toBeInstanceOf(InvalidInputLinearError);
    expect((err as Error).message).toContain('Entity not found: Issue');
  });

  it('lets a user edit only their own comments', async () => {
    const issue = await sandbox.createIssue({ team: 'ENG', title: 'Commented' });
    const comment = await (await sales.createComment({ issueId: issue.id, body: 'from sales' })).comment;
    expect(await rejection(bot.updateComment(comment!.id, { body: 'hijack' }))).toBeInstanceOf(ForbiddenLinearError);
  });

  it('runs a custom document through rawRequest and counts writes per user', async () => {
    const from = sandbox.requestLog.entries.length;
    const issue = await sandbox.createIssue({ team: 'ENG', title: 'Raw' });
    const response = await bot.client.rawRequest<{ issue: { identifier: string; needs: { nodes: unknown[] } } }, Record<string, unknown>>(
      'query Raw($id: String!) { issue(id: $id) { identifier needs(first: 1) { nodes { id } } } }',
      { id: issue.id },
    );
    expect(response.data?.issue).toEqual({ identifier: 'ENG-1', needs: { nodes: [] } });
    expect(response.headers?.get('x-ratelimit-requests-limit')).toBe('2500');
    expect(Number(response.headers?.get('x-ratelimit-requests-reset'))).toBeGreaterThan(Date.now());
    expect(response.headers?.get('x-complexity')).not.toBeNull();
    await sandbox.addCustomerNeed(issue.identifier);
    await bot.createComment({ issueId: issue.id, body: 'x' });
    await sales.createComment({ issueId: issue.id, body: 'y' });
    await sales.updateIssue(issue.id, { estimate: 1 });
    expect(sandbox.issue(issue.id)!.customerNeeds).toBe(1);
    // the sandbox's own helpers (createIssue, addCustomerNeed) are not HTTP requests and are not logged
    expect(sandbox.requestLog.countWrites({ userId: botUserId, from })).toBe(1);
    expect(sandbox.requestLog.countWrites({ userId: salesUserId, from })).toBe(2);
    expect(sandbox.requestLog.countRequests({ userId: botUserId, from })).toBe(2);
    expect(sandbox.requestLog.countWrites({ since: Date.now() + 1000 })).toBe(0);
  });
});

describe('errors as Linear sends them', () => {
  it('rejects a document that does not validate against the schema', async () => {
    const err = await rejection(bot.client.rawRequest('query { issue(id: "ENG-1") { id noSuchField } }'));
    expect(err).toBeInstanceOf(GraphqlLinearError);
    expect((err as GraphqlLinearError).status).toBe(400);
    expect((err as Error).message).toContain('Cannot query field "noSuchField" on type "Issue"');
    const wrongArg = await rejection(bot.client.rawRequest('mutation { issueUpdate(id: "x", input: { labels: [] }) { success } }'));
    expect(wrongArg).toBeInstanceOf(GraphqlLinearError);
    const syntax = await rejection(bot.client.rawRequest('query {'));
    expect(syntax).toBeInstanceOf(GraphqlLinearError);
  });

  it('answers an unknown or missing API key with an authentication error', async () => {
    const stranger = new LinearClient({ apiKey: 'lin_api_nope', apiUrl });
    const err = await rejection(stranger.viewer);
    expect(err).toBeInstanceOf(AuthenticationLinearError);
    expect((err as AuthenticationLinearError).status).toBe(400);
    const raw = await fetch(apiUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { id } }' }) });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ errors: [{ extensions: { type: 'authentication error', code: 'AUTHENTICATION_ERROR' } }] });
    // an OAuth-style bearer token is accepted
    const oauth = new LinearClient({ accessToken: botApiKey, apiUrl });
    expect((await oauth.viewer).id).toBe(botUserId);
  });

  it('answers RATELIMITED as Linear does, and the SDK raises RatelimitedLinearError with the reset time', async () => {
    sandbox.faults.add({ operation: 'issueUpdate', kind: 'ratelimited', times: 1, resetInMs: 30_000 });
    const issue = await sandbox.createIssue({ team: 'ENG', title: 'Limited' });
    const before = Date.now();
    const err = await rejection(bot.updateIssue(issue.id, { estimate: 2 }));
    expect(err).toBeInstanceOf(RatelimitedLinearError);
    const limited = err as RatelimitedLinearError;
    expect(limited.status).toBe(400);
    expect(limited.requestsRemaining).toBe(0);
    expect(limited.requestsResetAt).toBeGreaterThanOrEqual(before + 30_000);
    expect(limited.requestsResetAt).toBeLessThanOrEqual(Date.now() + 30_000);
    expect(limited.retryAfter).toBeUndefined();
    // the fault was used up: the next call goes through
    await bot.updateIssue(issue.id, { estimate: 2 });
    expect(sandbox.issue(issue.id)!.estimate).toBe(2);
    expect(sandbox.requestLog.entries.filter((e) => e.rejected === 'ratelimited')).toHaveLength(1);
  });

  it('sends Retry-After when asked, maps bare 429 to Ratelimited and 500 to Internal', async () => {
    sandbox.faults.add({ kind: 'ratelimited', times: 1, retryAfterSeconds: 7 });
    expect(await rejection(bot.viewer)).toMatchObject({ retryAfter: 7 });
    sandbox.faults.add({ kind: 'http429', times: 1 });
    expect(await rejection(bot.viewer)).toBeInstanceOf(RatelimitedLinearError);
    sandbox.faults.add({ operation: 'viewer', kind: 'http500', times: 2 });
    expect(await rejection(bot.viewer)).toBeInstanceOf(InternalLinearError);
    expect(sandbox.faults.pending()).toEqual([{ operation: 'viewer', kind: 'http500', times: 1 }]);
  });

  it('rate-limits a user past the hourly request budget', async () => {
    const tight = createLinearSandbox({ requestsPerHour: 2 });
    const url = await tight.listen();
    try {
      const client = new LinearClient({ apiKey: botApiKey, apiUrl: url });
      await client.viewer;
      await client.viewer;
      const err = await rejection(client.viewer);
      expect(err).toBeInstanceOf(RatelimitedLinearError);
      expect((err as RatelimitedLinearError).requestsRemaining).toBe(0);
      // another user has a budget of their own
      await new LinearClient({ apiKey: salesApiKey, apiUrl: url }).viewer;
    } finally {
      await tight.close();
    }
  });
});

describe('webhooks', () => {
  let receiver: WebhookReceiver;
  const secret = 'lin_wh_sandbox_secret';

  beforeEach(async () => {
    receiver = await startWebhookReceiver();
  });

  afterEach(async () => {
    await receiver.close();
  });

  it('delivers signed Issue and Comment events with the acting user, including the bot\'s own echoes', async () => {
    const hook = sandbox.registerWebhook({ url: receiver.url, secret, resourceTypes: ['Issue', 'Comment', 'IssueLabel'] });
    try {
      const issue = await sandbox.createIssue({ team: 'ENG', title: 'Hooked', estimate: 3, labels: ['custom-request'] });
      const label = await (await bot.createIssueLabel({ name: 'pool-near-limit', teamId: issue.team.id })).issueLabel;
      await bot.updateIssue(issue.id, { addedLabelIds: [label!.id], estimate: 5 });
      await bot.createComment({ issueId: issue.id, body: '**Custom-work pool**' });
      await bot.createAttachment({ issueId: issue.id, url: 'https://pool-guard.invalid/x', title: 't' }); // not subscribed
      await sales.deleteIssue(issue.id);
      await sandbox.idle();

      const events = receiver.received.map((d) => `${d.json.type}.${d.json.action}:${d.json.actor.id === botUserId ? 'bot' : 'sales'}`);
      expect(events).toEqual(['Issue.create:sales', 'IssueLabel.create:bot', 'Issue.update:bot', 'Comment.create:bot', 'Issue.remove:sales']);
      for (const d of receiver.received) {
        expect(verifySignature({ headers: d.headers, body: d.body }, [secret], Date.now())).toEqual({ ok: true });
        expect(d.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(d.headers['user-agent']).toBe('Linear-Webhook');
        expect(d.headers['linear-event']).toBe(d.json.type);
        expect(d.headers['linear-delivery']).toMatch(/^[0-9a-f-]{36}$/);
        expect(d.json).toMatchObject({ organizationId: SANDBOX_SEED.organizationId, webhookId: hook.id });
      }
      const update = receiver.received[2]!.json;
      expect(update.data).toMatchObject({ identifier: 'ENG-1', estimate: 5, labelIds: [SANDBOX_SEED.labels['custom-request'], label!.id] });
      expect(update.updatedFrom).toEqual({ estimate: 3, labelIds: [SANDBOX_SEED.labels['custom-request']], updatedAt: expect.any(String) });
      expect(update.actor).toEqual({ id: botUserId, name: 'Pool Guard', email: 'pool-guard@sandbox.invalid', url: expect.any(String), type: 'user' });
      expect(receiver.received[3]!.json.data).toMatchObject({ issueId: issue.id, userId: botUserId, issue: { identifier: 'ENG-1' } });
      expect(receiver.received[4]!.json.data).toMatchObject({ trashed: true, archivedAt: expect.any(String) });
    } finally {
      sandbox.unregisterWebhook(hook.id);
    }
  });

  it('sends no update event when an update changes nothing', async () => {
    const hook = sandbox.registerWebhook({ url: receiver.url, secret, resourceTypes: ['Issue'] });
    try {
      const issue = await sandbox.createIssue({ team: 'ENG', title: 'Quiet', estimate: 2 });
      await bot.updateIssue(issue.id, { estimate: 2, removedLabelIds: [SANDBOX_SEED.labels.bug] });
      await sandbox.idle();
      expect(receiver.received.map((d) => d.json.action)).toEqual(['create']);
    } finally {
      sandbox.unregisterWebhook(hook.id);
    }
  });

  it('retries a delivery answered with anything but 200, re-stamped, with the same Linear-Delivery', async () => {
    receiver.answers.push(500, 202);
    const hook = sandbox.registerWebhook({ url: receiver.url, secret, resourceTypes: ['Issue'] });
    try {
      await sandbox.createIssue({ team: 'ENG', title: 'Flaky receiver' });
      await sandbox.idle();
      expect(receiver.received).toHaveLength(3);
      expect(new Set(receiver.received.map((d) => d.headers['linear-delivery'])).size).toBe(1);
      expect(sandbox.deliveries).toEqual([expect.objectContaining({ state: 'delivered', attempts: 3, statuses: [500, 202, 200] })]);
    } finally {
      sandbox.unregisterWebhook(hook.id);
    }
  });

  it('gives up after the configured retries', async () => {
    receiver.answers.push(500, 500, 500, 500);
    const hook = sandbox.registerWebhook({ url: receiver.url, secret, resourceTypes: ['Issue'] });
    try {
      await sandbox.createIssue({ team: 'ENG', title: 'Down' });
      await sandbox.idle();
      expect(receiver.received).toHaveLength(4);
      expect(sandbox.deliveries[0]).toMatchObject({ state: 'failed', attempts: 4 });
    } finally {
      sandbox.unregisterWebhook(hook.id);
    }
  });
});

describe('pages for people', () => {
  it('lists teams and issues, and shows an issue with labels, comments and attachments, escaped', async () => {
    const issue = await sandbox.createIssue({ team: 'ENG', title: '<script>alert(1)</script> & co', labels: ['custom-request'] });
    await bot.createComment({ issueId: issue.id, body: '**Custom-work pool**\n\n<b>not html</b>' });
    await bot.createAttachment({ issueId: issue.id, url: 'https://pool-guard.invalid/linear/ENG-1', title: 'Custom-work pool', subtitle: '2026-Q4 · 8 of 10 days' });
    const base = apiUrl.replace(/\/graphql$/, '');
    const home = await (await fetch(`${base}/`)).text();
    expect(home).toContain('ENG · Engineering');
    expect(home).toContain('href="/issue/ENG-1"');
    expect(home).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(home).not.toContain('<script>');
    const page = await fetch(`${base}/issue/ENG-1`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('custom-request');
    expect(html).toContain('<strong>Custom-work pool</strong>');
    expect(html).toContain('&lt;b&gt;not html&lt;/b&gt;');
    expect(html).toContain('2026-Q4 · 8 of 10 days');
    expect(html).not.toMatch(/<(link|script|img)\b/);
    expect((await fetch(`${base}/issue/ENG-404`)).status).toBe(404);
  });

  it('works mounted under a prefix in another app', async () => {
    const parent = express();
    parent.use('/sandbox/linear', sandbox.app);
    const server = http.createServer(parent);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const mounted = new LinearClient({ apiKey: botApiKey, apiUrl: `http://127.0.0.1:${port}/sandbox/linear/graphql` });
      const issue = await sandbox.createIssue({ team: 'OPS', title: 'Mounted' });
      const read = await mounted.issue(issue.identifier);
      expect(read.url).toBe(`http://127.0.0.1:${port}/sandbox/linear/issue/OPS-1/mounted`);
      const home = await (await fetch(`http://127.0.0.1:${port}/sandbox/linear/`)).text();
      expect(home).toContain('href="/sandbox/linear/issue/OPS-1"');
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });
});

describe('reset', () => {
  it('returns to the seed', async () => {
    await sandbox.createIssue({ team: 'ENG', title: 'Temporary' });
    await bot.createIssueLabel({ name: 'pool-ok', teamId: SANDBOX_SEED.teams.ENG });
    sandbox.faults.add({ kind: 'http500', times: 5 });
    sandbox.reset();
    expect(sandbox.issue('ENG-1')).toBeNull();
    expect(sandbox.requestLog.entries).toEqual([]);
    expect(sandbox.faults.pending()).toEqual([]);
    expect((await bot.issueLabels({ filter: { name: { eq: 'pool-ok' } } })).nodes).toEqual([]);
    expect((await sandbox.createIssue({ team: 'ENG', title: 'Again' })).identifier).toBe('ENG-1');
  });
});
