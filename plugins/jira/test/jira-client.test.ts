/**
 * The Jira client (fetchTicket, writeBack, listTickets, whoAmI, error mapping) against a listening
 * Jira sandbox: only the vendor's HTTP edge is faked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import type { Badge, CommentDoc } from '@pool-guard/shared/domain';
import { silentLogger } from '@pool-guard/shared/logging';
import { isTrackerError, type TrackerClient, type TrackerError } from '@pool-guard/shared/tracker';
import { buildJql, connectJira, jiraPlugin } from '../src/index.js';
import { createJiraSandbox, type JiraSandbox } from '../sandbox/index.js';
import { sandboxTenant } from './jira-test-tenant.js';

const logger = silentLogger();

async function trackerError(promise: Promise<unknown>): Promise<TrackerError> {
  try {
    await promise;
  } catch (err) {
    if (isTrackerError(err)) return err;
    throw err;
  }
  throw new Error('expected a TrackerError');
}

function doc(words: string): CommentDoc {
  return {
    title: 'Custom-work pool',
    paragraphs: [[{ text: 'Status: ' }, { text: words, bold: true }], [{ text: 'line one\nline two' }]],
  };
}

const BADGE: Badge = { quarter: '2026-Q4', scope: 'CR', state: 'over-limit', usedDays: 12.5, limitDays: 10, days: 3, rank: 4 };

let sandbox: JiraSandbox;
let baseUrl: string;
let client: TrackerClient;

beforeAll(async () => {
  sandbox = createJiraSandbox({ webhookJitterMs: 0 });
  baseUrl = await sandbox.listen(0);
});

afterAll(() => sandbox.close());

beforeEach(() => {
  sandbox.reset();
  client = jiraPlugin.connect(sandboxTenant(baseUrl), { logger });
});

describe('whoAmI', () => {
  it('returns the bot account and asks /myself once', async () => {
    await expect(client.whoAmI()).resolves.toEqual({ accountId: sandbox.users.bot.accountId, displayName: 'Pool Guard' });
    await client.whoAmI();
    expect(sandbox.requestLog.filter((e) => e.path === '/rest/api/3/myself')).toHaveLength(1);
  });

  it('does not cache a failure', async () => {
    sandbox.faults.add({ path: '/rest/api/3/myself', status: 503, times: 1 });
    expect((await trackerError(client.whoAmI())).kind).toBe('transient');
    await expect(client.whoAmI()).resolves.toMatchObject({ displayName: 'Pool Guard' });
  });

  it('refuses a tenant of another tracker', () => {
    const linear = { ...sandboxTenant(baseUrl), tracker: 'linear' } as unknown as Parameters<typeof jiraPlugin.connect>[0];
    expect(() => jiraPlugin.connect(linear, { logger })).toThrow(/tracker is "linear"/);
  });
});

describe('fetchTicket', () => {
  it('maps a Jira issue to a Ticket', async () => {
    const created = sandbox.createIssue({
      project: 'CR',
      summary: 'Acme: SSO',
      issueType: 'Task',
      labels: ['custom-request', 'vip'],
      originalEstimate: '2d',
      storyPoints: 5,
      dueDate: '2026-12-15',
      status: 'In Progress',
    });
    const ticket = await client.fetchTicket('CR-1');
    const now = sandbox.issue('CR-1')!;
    expect(ticket).toEqual({
      key: 'CR-1',
      id: created.id,
      scope: 'CR',
      title: 'Acme: SSO',
      labels: ['custom-request', 'vip'],
      issueType: 'Task',
      linkedToCustomerRequest: false,
      estimate: { seconds: 57_600, points: 5 },
      dueDate: '2026-12-15',
      createdAt: new Date(Date.parse(created.created.replace('+0000', 'Z'))).toISOString(),
      updatedAt: new Date(now.updatedMs).toISOString(),
      rank: now.rank,
      progress: 'in-progress',
    });
  });

  it('maps status categories to progress and missing estimates to null', async () => {
    sandbox.createIssue({ project: 'OPS', summary: 'Plain' });
    sandbox.createIssue({ project: 'OPS', summary: 'Finished', status: 'Done' });
    const plain = await client.fetchTicket('OPS-1');
    expect(plain).toMatchObject({ scope: 'OPS', labels: [], estimate: { seconds: null, points: null }, dueDate: null, progress: 'not-started' });
    expect((await client.fetchTicket('OPS-2'))?.progress).toBe('done');
  });

  it('returns null for a missing or deleted issue', async () => {
    await expect(client.fetchTicket('CR-404')).resolves.toBeNull();
    sandbox.createIssue({ project: 'CR', summary: 'Soon gone' });
    sandbox.deleteIssue('CR-1');
    await expect(client.fetchTicket('CR-1')).resolves.toBeNull();
  });

  it('asks for explicit fields and discovers the field ids once per client', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'Fields' });
    await client.fetchTicket('CR-1');
    await client.fetchTicket('CR-1');
    expect(sandbox.requestLog.filter((e) => e.path === '/rest/api/3/field')).toHaveLength(1);
  });

  it('finds a "Story Points" field by name on a site that uses it', async () => {
    const other = createJiraSandbox({ storyPointsField: { id: 'customfield_10028', name: 'Story Points' }, webhookJitterMs: 0 });
    try {
      const url = await other.listen(0);
      other.createIssue({ project: 'CR', summary: 'Classic', storyPoints: 8 });
      const c = connectJira(sandboxTenant(url), { logger });
      expect((await c.fetchTicket('CR-1'))?.estimate.points).toBe(8);
    } finally {
      await other.close();
    }
  });

  it('uses configured field ids without asking /field', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'Configured', storyPoints: 3 });
    const c = connectJira(sandboxTenant(baseUrl, { rankField: 'customfield_10019', storyPointsField: 'customfield_10016' }), { logger });
    const ticket = await c.fetchTicket('CR-1');
    expect(ticket?.estimate.points).toBe(3);
    expect(ticket?.rank).toMatch(/^0\|/);
    expect(sandbox.requestLog.some((e) => e.path === '/rest/api/3/field')).toBe(false);
  });
});

describe('writeBack', () => {
  const bot = (): string => sandbox.users.bot.accountId;
  const ourComments = (key: string) => sandbox.issue(key)!.comments.filter((c) => c.authorId === bot());

  it('creates exactly one comment, then edits it in place', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'Comment', labels: ['custom-request'] });
    const first = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('admitted'), commentId: null } });
    expect(first.commentId).toBe(ourComments('CR-1')[0]?.id);
    const second = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('waiting'), commentId: first.commentId } });
    expect(second).toEqual({ commentId: first.commentId, calls: 1 });
    const comments = ourComments('CR-1');
    expect(comments).toHaveLength(1);
    expect(comments[0]!.text).toBe('Custom-work pool\nStatus: waiting\nline one\nline two');
  });

  it('renders the title as a bold first paragraph and bold spans as strong marks', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'ADF' });
    await client.writeBack({ ticketKey: issue.key, ticketId: issue.id, comment: { doc: doc('over'), commentId: null } });
    expect(ourComments('CR-1')[0]!.body).toEqual({
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'Custom-work pool', marks: [{ type: 'strong' }] }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'Status: ' }, { type: 'text', text: 'over', marks: [{ type: 'strong' }] }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'line one' }, { type: 'hardBreak' }, { type: 'text', text: 'line two' }] },
      ],
    });
  });

  it('finds its comment when the stored id is lost or stale, and ignores look-alikes by people', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'Lost id' });
    sandbox.addComment('CR-1', 'Custom-work pool\nI copied the title but I am Sam');
    for (let i = 0; i < 120; i++) sandbox.addComment('CR-1', `chatter ${i}`);
    const first = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('one'), commentId: null } });
    sandbox.addComment('CR-1', 'more chatter');
    const lost = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('two'), commentId: null } });
    expect(lost.commentId).toBe(first.commentId);
    const stale = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('three'), commentId: '999999' } });
    expect(stale.commentId).toBe(first.commentId);
    expect(ourComments('CR-1').map((c) => c.text.split('\n')[1])).toEqual(['Status: three']);
    expect(sandbox.issue('CR-1')!.comments.filter((c) => c.text.startsWith('Custom-work pool'))).toHaveLength(2);
    // The search paged through 100-comment pages.
    expect(sandbox.requestLog.filter((e) => e.method === 'GET' && e.path === '/rest/api/3/issue/10000/comment').length).toBeGreaterThanOrEqual(4);
  });

  it('creates a new comment when its old one was deleted', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'Deleted comment' });
    const first = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('one'), commentId: null } });
    await fetch(`${baseUrl}/rest/api/3/issue/CR-1/comment/${first.commentId}`, {
      method: 'DELETE',
      headers: { authorization: `Basic ${Buffer.from('pool-guard@example.com:sandbox-bot-token').toString('base64')}` },
    });
    const again = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('two'), commentId: first.commentId } });
    expect(again.commentId).not.toBe(first.commentId);
    expect(ourComments('CR-1')).toHaveLength(1);
  });

  it('leaves one comment when racing write-backs created duplicates', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'Duplicates' });
    sandbox.addComment('CR-1', 'Custom-work pool\nold A', { as: 'bot' });
    sandbox.addComment('CR-1', 'Custom-work pool\nold B', { as: 'bot' });
    const result = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('fresh'), commentId: null } });
    const comments = ourComments('CR-1');
    expect(comments.map((c) => c.id)).toEqual([result.commentId]);
    expect(comments[0]!.text).toContain('fresh');
  });

  it('adds and removes pool labels in one PUT and leaves other labels alone', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'Labels', labels: ['custom-request', 'vip', 'pool-ok'] });
    const before = sandbox.requestLog.length;
    const result = await client.writeBack({
      ticketKey: 'CR-1',
      ticketId: issue.id,
      labels: { add: ['pool-over-limit'], remove: ['pool-ok', 'pool-near-limit'] },
    });
    expect(result).toEqual({ commentId: null, calls: 1 });
    expect(sandbox.issue('CR-1')!.labels).toEqual(['custom-request', 'vip', 'pool-over-limit']);
    expect(sandbox.countWrites({ accountId: sandbox.users.bot.accountId, from: before })).toBe(1);
    // Someone adds a label meanwhile; the next write does not clobber it.
    sandbox.editIssue('CR-1', { labels: { add: ['added-by-sam'] } });
    await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, labels: { add: ['pool-ok'], remove: ['pool-over-limit'] } });
    expect(sandbox.issue('CR-1')!.labels).toEqual(['custom-request', 'vip', 'added-by-sam', 'pool-ok']);
  });

  it('sends nothing for an empty label change and never touches labels that are not pool labels', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'No-op', labels: ['custom-request'] });
    const result = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, labels: { add: [], remove: [] } });
    expect(result.calls).toBe(0);
    const sneaky = { add: ['pool-ok'], remove: ['custom-request'] } as unknown as { add: []; remove: [] };
    await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, labels: sneaky });
    expect(sandbox.issue('CR-1')!.labels).toEqual(['custom-request', 'pool-ok']);
  });

  it('sets the badge property with the Badge JSON, replaces it, and removes it with null', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'Badge' });
    await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, badge: BADGE });
    expect(sandbox.issue('CR-1')!.properties['pool-guard']).toEqual(BADGE);
    expect(Object.keys(sandbox.issue('CR-1')!.properties['pool-guard'] as object)).toEqual([
      'quarter', 'scope', 'state', 'usedDays', 'limitDays', 'days', 'rank',
    ]);
    await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, badge: { ...BADGE, limitDays: null, days: null, state: 'no-limit' } });
    expect(sandbox.issue('CR-1')!.properties['pool-guard']).toMatchObject({ limitDays: null, days: null, state: 'no-limit' });
    await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, badge: null });
    expect(sandbox.issue('CR-1')!.properties['pool-guard']).toBeUndefined();
    await expect(client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, badge: null })).resolves.toEqual({ commentId: null, calls: 1 });
  });

  it('writes a first write-back (no comment id) as POST comment + one PUT issue with labels and badge', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'Order', labels: ['custom-request'] });
    await client.whoAmI();
    const before = sandbox.requestLog.length;
    const result = await client.writeBack({
      ticketKey: 'CR-1',
      ticketId: issue.id,
      comment: { doc: doc('ok'), commentId: null },
      labels: { add: ['pool-ok'], remove: [] },
      badge: { ...BADGE, state: 'ok' },
    });
    const calls = sandbox.requestLog.slice(before).map((e) => `${e.method} ${e.path}`);
    expect(calls).toEqual([
      `GET /rest/api/3/issue/${issue.id}/comment`,
      `POST /rest/api/3/issue/${issue.id}/comment`,
      `PUT /rest/api/3/issue/${issue.id}`,
    ]);
    expect(result.calls).toBe(3);
    expect(sandbox.countWrites({ accountId: bot(), from: before })).toBe(2);
    const shown = sandbox.issue('CR-1')!;
    expect(shown.labels).toEqual(['custom-request', 'pool-ok']);
    expect(shown.properties['pool-guard']).toEqual({ ...BADGE, state: 'ok' });
    expect(ourComments('CR-1').map((c) => c.id)).toEqual([result.commentId]);
  });

  it('writes a steady-state write-back (known comment, changed badge and comment) in exactly one call', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'Steady', labels: ['custom-request', 'pool-ok'] });
    const first = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('used 3'), commentId: null }, badge: BADGE });
    const created = ourComments('CR-1')[0]!;
    const before = sandbox.requestLog.length;
    const result = await client.writeBack({
      ticketKey: 'CR-1',
      ticketId: issue.id,
      comment: { doc: doc('used 5'), commentId: first.commentId },
      badge: { ...BADGE, usedDays: 14.5 },
    });
    expect(result).toEqual({ commentId: first.commentId, calls: 1 });
    expect(sandbox.requestLog.slice(before).map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([`PUT /rest/api/3/issue/${issue.id} 204`]);
    const shown = sandbox.issue('CR-1')!;
    expect(shown.properties['pool-guard']).toEqual({ ...BADGE, usedDays: 14.5 });
    expect(shown.labels).toEqual(['custom-request', 'pool-ok']);
    const comment = ourComments('CR-1');
    expect(comment).toHaveLength(1);
    expect(comment[0]).toMatchObject({ id: created.id, created: created.created, updateAuthorId: bot(), text: 'Custom-work pool\nStatus: used 5\nline one\nline two' });
  });

  it('writes labels, comment and badge with a known comment id in one call, leaving other labels alone', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'All three', labels: ['custom-request', 'vip', 'pool-ok'] });
    const first = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('ok'), commentId: null } });
    sandbox.editIssue('CR-1', { labels: { add: ['added-by-sam'] } });
    const before = sandbox.requestLog.length;
    const result = await client.writeBack({
      ticketKey: 'CR-1',
      ticketId: issue.id,
      comment: { doc: doc('over'), commentId: first.commentId },
      labels: { add: ['pool-over-limit'], remove: ['pool-ok', 'pool-near-limit', 'pool-no-limit'] },
      badge: { ...BADGE, state: 'over-limit' },
    });
    expect(result).toEqual({ commentId: first.commentId, calls: 1 });
    expect(sandbox.requestLog.slice(before).map((e) => `${e.method} ${e.path}`)).toEqual([`PUT /rest/api/3/issue/${issue.id}`]);
    expect(sandbox.countWrites({ accountId: bot(), from: before })).toBe(1);
    const shown = sandbox.issue('CR-1')!;
    expect(shown.labels).toEqual(['custom-request', 'vip', 'added-by-sam', 'pool-over-limit']);
    expect(shown.properties['pool-guard']).toEqual({ ...BADGE, state: 'over-limit' });
    expect(ourComments('CR-1').map((c) => [c.id, c.text.split('\n')[1]])).toEqual([[first.commentId, 'Status: over']]);
    // A retry of the same write-back ends in the same state.
    await client.writeBack({
      ticketKey: 'CR-1',
      ticketId: issue.id,
      comment: { doc: doc('over'), commentId: first.commentId },
      labels: { add: ['pool-over-limit'], remove: ['pool-ok', 'pool-near-limit', 'pool-no-limit'] },
      badge: { ...BADGE, state: 'over-limit' },
    });
    expect(sandbox.issue('CR-1')).toMatchObject({ labels: shown.labels, properties: shown.properties });
    expect(ourComments('CR-1').map((c) => [c.id, c.text.split('\n')[1]])).toEqual([[first.commentId, 'Status: over']]);
  });

  it('falls back when its comment was deleted meanwhile: one new comment, labels and badge land', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'Comment deleted', labels: ['custom-request', 'pool-ok'] });
    const first = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('ok'), commentId: null }, badge: BADGE });
    sandbox.addComment('CR-1', 'Why is this over the limit?');
    // A person deletes Pool Guard's comment (the sandbox lets only authors delete, so through its account).
    const deleted = await fetch(`${baseUrl}/rest/api/3/issue/CR-1/comment/${first.commentId}`, {
      method: 'DELETE',
      headers: { authorization: `Basic ${Buffer.from('pool-guard@example.com:sandbox-bot-token').toString('base64')}` },
    });
    expect(deleted.status).toBe(204);
    const before = sandbox.requestLog.length;
    const result = await client.writeBack({
      ticketKey: 'CR-1',
      ticketId: issue.id,
      comment: { doc: doc('over'), commentId: first.commentId },
      labels: { add: ['pool-over-limit'], remove: ['pool-ok'] },
      badge: { ...BADGE, state: 'over-limit' },
    });
    expect(sandbox.requestLog.slice(before).map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      `PUT /rest/api/3/issue/${issue.id} 400`,
      `GET /rest/api/3/issue/${issue.id}/comment 200`,
      `POST /rest/api/3/issue/${issue.id}/comment 201`,
      `PUT /rest/api/3/issue/${issue.id} 204`,
    ]);
    expect(result.calls).toBe(4);
    expect(result.commentId).not.toBe(first.commentId);
    const comments = ourComments('CR-1');
    expect(comments.map((c) => [c.id, c.text.split('\n')[1]])).toEqual([[result.commentId, 'Status: over']]);
    const shown = sandbox.issue('CR-1')!;
    expect(shown.labels).toEqual(['custom-request', 'pool-over-limit']);
    expect(shown.properties['pool-guard']).toEqual({ ...BADGE, state: 'over-limit' });
    expect(shown.comments.map((c) => c.text)).toContain('Why is this over the limit?');
    // The next write-back with the new id is one call again.
    const next = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('ok'), commentId: result.commentId } });
    expect(next).toEqual({ commentId: result.commentId, calls: 1 });
  });

  it('falls back to its own comment when the stored id is not on the issue, and still fails when the issue is gone', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'Stale id' });
    const other = sandbox.createIssue({ project: 'CR', summary: 'Elsewhere' });
    const mine = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('one'), commentId: null } });
    const elsewhere = await client.writeBack({ ticketKey: 'CR-2', ticketId: other.id, comment: { doc: doc('other'), commentId: null } });
    const result = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('two'), commentId: elsewhere.commentId }, badge: BADGE });
    expect(result.commentId).toBe(mine.commentId);
    expect(ourComments('CR-1').map((c) => c.text.split('\n')[1])).toEqual(['Status: two']);
    expect(ourComments('CR-2').map((c) => c.text.split('\n')[1])).toEqual(['Status: other']);
    expect(sandbox.issue('CR-1')!.properties['pool-guard']).toEqual(BADGE);

    sandbox.deleteIssue('CR-1');
    const err = await trackerError(client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('three'), commentId: mine.commentId }, badge: BADGE }));
    expect(err.kind).toBe('not_found');
  });

  it('removes the badge with a DELETE after the one edit', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'Left the pool', labels: ['custom-request', 'pool-ok'] });
    const first = await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('ok'), commentId: null }, badge: BADGE });
    const before = sandbox.requestLog.length;
    const result = await client.writeBack({
      ticketKey: 'CR-1',
      ticketId: issue.id,
      comment: { doc: doc('left'), commentId: first.commentId },
      labels: { add: [], remove: ['pool-ok'] },
      badge: null,
    });
    expect(sandbox.requestLog.slice(before).map((e) => `${e.method} ${e.path}`)).toEqual([
      `PUT /rest/api/3/issue/${issue.id}`,
      `DELETE /rest/api/3/issue/${issue.id}/properties/pool-guard`,
    ]);
    expect(result).toEqual({ commentId: first.commentId, calls: 2 });
    expect(sandbox.issue('CR-1')).toMatchObject({ labels: ['custom-request'], properties: {} });
  });

  it('produces echo events whose actor is our own account', async () => {
    const received: { headers: Record<string, string | undefined>; body: Buffer }[] = [];
    const hooks = express();
    hooks.post('/hook', express.raw({ type: '*/*' }), (req, res) => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
      received.push({ headers, body: req.body as Buffer });
      res.status(200).end();
    });
    const server: Server = createServer(hooks);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      sandbox.registerWebhook({ url, secret: 'test-jira-webhook-secret', events: ['jira:issue_updated', 'comment_created'] });
      const issue = sandbox.createIssue({ project: 'CR', summary: 'Echo' });
      await client.writeBack({ ticketKey: 'CR-1', ticketId: issue.id, comment: { doc: doc('x'), commentId: null }, labels: { add: ['pool-ok'], remove: [] } });
      await sandbox.idle();
      const me = (await client.whoAmI()).accountId;
      expect(received.length).toBe(3);
      for (const delivery of received) {
        expect(jiraPlugin.verify(delivery, ['test-jira-webhook-secret'], Date.now())).toEqual({ ok: true });
        const parsed = jiraPlugin.parseWebhook(delivery, JSON.parse(delivery.body.toString('utf8')) as unknown);
        expect(parsed.ok).toBe(true);
        expect(parsed.ok && parsed.webhook.deliveryId).toMatch(/^[0-9a-f-]{36}$/);
        if (parsed.ok) expect(parsed.webhook.events.map((e) => e.actorId)).toEqual([me]);
      }
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });

  it('fails with not_found when the issue is gone', async () => {
    const err = await trackerError(client.writeBack({ ticketKey: 'CR-77', ticketId: '', labels: { add: ['pool-ok'], remove: [] } }));
    expect(err.kind).toBe('not_found');
    expect(err.retryable).toBe(false);
  });
});

describe('errors', () => {
  beforeEach(() => {
    sandbox.createIssue({ project: 'CR', summary: 'Errors' });
  });

  it('maps 429 to rate_limited with Retry-After in ms', async () => {
    sandbox.faults.add({ path: '/rest/api/3/issue/', status: 429, retryAfterSeconds: 7, times: 1 });
    const err = await trackerError(client.fetchTicket('CR-1'));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(7000);
    expect(err.status).toBe(429);
    expect(err.retryable).toBe(true);
  });

  it('defaults the delay to 5 s when a 429 has no Retry-After', async () => {
    sandbox.faults.add({ method: 'PUT', status: 429, retryAfterSeconds: null, times: 1 });
    const err = await trackerError(client.writeBack({ ticketKey: 'CR-1', ticketId: '', badge: BADGE }));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBe(5000);
  });

  it('maps 500 and 503 to transient (with the 503 Retry-After when given)', async () => {
    sandbox.faults.add({ status: 500, times: 1 });
    const e500 = await trackerError(client.fetchTicket('CR-1'));
    expect([e500.kind, e500.status, e500.retryAfterMs]).toEqual(['transient', 500, null]);
    sandbox.faults.add({ status: 503, retryAfterSeconds: 2, times: 1 });
    const e503 = await trackerError(client.fetchTicket('CR-1'));
    expect([e503.kind, e503.retryAfterMs]).toEqual(['transient', 2000]);
  });

  it('maps a bad token to auth, without the token in the message', async () => {
    const bad = jiraPlugin.connect(sandboxTenant(baseUrl, { apiToken: 'wrong-token-value' }), { logger });
    const err = await trackerError(bad.fetchTicket('CR-1'));
    expect(err.kind).toBe('auth');
    expect(err.status).toBe(401);
    expect(err.message).not.toContain('wrong-token-value');
    expect(err.message).toContain('GET /rest/api/3/');
  });

  it('maps a 400 to invalid', async () => {
    const err = await trackerError(
      client.listTickets({ scopes: ['NOPE'], labels: [], updatedSince: null, cursor: null, pageSize: 10 }),
    );
    expect(err.kind).toBe('invalid');
    expect(err.message).toContain("The value 'NOPE' does not exist for the field 'project'.");
  });

  it('maps connection failures and timeouts to transient', async () => {
    const hang = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    const hangUrl = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
    try {
      const slow = connectJira(sandboxTenant(hangUrl), { logger, requestTimeoutMs: 200 });
      const timeout = await trackerError(slow.whoAmI());
      expect(timeout.kind).toBe('transient');
      expect(timeout.message).toMatch(/timed out after 200 ms/);
    } finally {
      await new Promise<void>((resolve) => {
        hang.close(() => resolve());
        hang.closeAllConnections();
      });
    }
    const down = connectJira(sandboxTenant(hangUrl), { logger });
    const refused = await trackerError(down.whoAmI());
    expect(refused.kind).toBe('transient');
  });
});

describe('listTickets', () => {
  it('pages through more than two pages with the nextPageToken cursor', async () => {
    for (let i = 1; i <= 8; i++) sandbox.createIssue({ project: 'CR', summary: `Custom ${i}`, labels: ['custom-request'], storyPoints: i });
    sandbox.createIssue({ project: 'CR', summary: 'Not custom', labels: ['internal'] });
    sandbox.createIssue({ project: 'OPS', summary: 'Other scope', labels: ['custom-request'] });
    const keys: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await client.listTickets({ scopes: ['CR'], labels: ['custom-request'], updatedSince: null, cursor, pageSize: 3 });
      pages++;
      keys.push(...page.tickets.map((t) => t.key));
      for (const t of page.tickets) expect(t).toMatchObject({ scope: 'CR', labels: ['custom-request'], progress: 'not-started' });
      cursor = page.nextCursor;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(keys).toEqual(['CR-1', 'CR-2', 'CR-3', 'CR-4', 'CR-5', 'CR-6', 'CR-7', 'CR-8']);
    const searches = sandbox.requestLog.filter((e) => e.path === '/rest/api/3/search/jql');
    expect(searches.every((e) => e.method === 'POST')).toBe(true);
  });

  it('maps the same fields as fetchTicket', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'Same', labels: ['custom-request'], originalEstimate: '4h', storyPoints: 2, dueDate: '2027-01-05' });
    const page = await client.listTickets({ scopes: [], labels: ['custom-request'], updatedSince: null, cursor: null, pageSize: 50 });
    expect(page.nextCursor).toBeNull();
    expect(page.tickets).toEqual([await client.fetchTicket('CR-1')]);
  });

  it('bounds by updatedSince (to the minute, rounded down)', async () => {
    const clockSandbox = createJiraSandbox({ now: () => clock, webhookJitterMs: 0 });
    let clock = Date.UTC(2026, 10, 20, 10, 0, 30);
    try {
      const url = await clockSandbox.listen(0);
      clockSandbox.createIssue({ project: 'CR', summary: 'old', labels: ['custom-request'] });
      clock = Date.UTC(2026, 10, 20, 11, 5, 10);
      clockSandbox.createIssue({ project: 'CR', summary: 'new', labels: ['custom-request'] });
      const c = connectJira(sandboxTenant(url), { logger });
      const since = new Date(Date.UTC(2026, 10, 20, 11, 5, 40)).toISOString();
      const page = await c.listTickets({ scopes: ['CR'], labels: ['custom-request'], updatedSince: since, cursor: null, pageSize: 10 });
      expect(page.tickets.map((t) => t.title)).toEqual(['new']);
    } finally {
      await clockSandbox.close();
    }
  });

  it('builds bounded JQL with quoted values', () => {
    expect(buildJql({ scopes: ['CR', 'OPS'], labels: ['custom-request'], updatedSince: '2026-11-20T10:05:59.999Z' }, 'UTC')).toBe(
      'project in ("CR", "OPS") AND labels in ("custom-request") AND updated >= "2026-11-20 10:05" ORDER BY key ASC',
    );
    expect(buildJql({ scopes: [], labels: ['a"b'], updatedSince: null }, null)).toBe('labels in ("a\\"b") ORDER BY key ASC');
    expect(buildJql({ scopes: [], labels: [], updatedSince: null }, null)).toBe('created >= "1970-01-01" ORDER BY key ASC');
    expect(buildJql({ scopes: [], labels: [], updatedSince: '2026-11-20T10:05:00Z' }, 'Europe/Warsaw')).toBe(
      'updated >= "2026-11-20 11:05" ORDER BY key ASC',
    );
  });

  it('runs an otherwise unbounded listing without a 400', async () => {
    sandbox.createIssue({ project: 'OPS', summary: 'Anything' });
    const page = await client.listTickets({ scopes: [], labels: [], updatedSince: null, cursor: null, pageSize: 10 });
    expect(page.tickets.map((t) => t.key)).toEqual(['OPS-1']);
  });
});
