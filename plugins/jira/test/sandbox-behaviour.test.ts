/**
 * Sandbox behaviour beyond single REST calls: outgoing webhooks (shape, signature, echo events,
 * retries), mounting under a path prefix, HTML pages, ranking, JQL and the request log.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { createJiraSandbox, type JiraSandbox } from '../sandbox/index.js';

const SECRET = 'sandbox-webhook-secret';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
  body: Record<string, unknown>;
}

/** A webhook receiver on a free loopback port; `answer` decides each response status. */
async function startReceiver(answer: (n: number, r: Received) => number = () => 200): Promise<{
  url: string;
  received: Received[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const app = express();
  app.post('/hook', express.raw({ type: '*/*' }), (req, res) => {
    const raw = req.body as Buffer;
    const r: Received = { headers: req.headers, raw, body: JSON.parse(raw.toString('utf8')) as Record<string, unknown> };
    received.push(r);
    res.status(answer(received.length, r)).end();
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function auth(email: string, token: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`, 'content-type': 'application/json' };
}

const BOT = auth('pool-guard@example.com', 'sandbox-bot-token');

describe('Jira sandbox webhooks', () => {
  let sandbox: JiraSandbox;
  let base: string;

  beforeAll(async () => {
    sandbox = createJiraSandbox({ webhookRetryDelayMs: 20, webhookJitterMs: 0 });
    base = await sandbox.listen(0);
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('delivers signed REST-v2-shaped events for changes made by people', async () => {
    const receiver = await startReceiver();
    try {
      sandbox.registerWebhook({ url: receiver.url, secret: SECRET, events: ['jira:issue_created', 'jira:issue_updated'] });
      sandbox.createIssue({ project: 'CR', summary: 'Acme SSO', labels: ['custom-request'], originalEstimate: '2d', storyPoints: 5 });
      sandbox.editIssue('CR-1', { labels: { add: ['urgent'] }, originalEstimate: '4d', storyPoints: 8 });
      await sandbox.idle();

      expect(receiver.received).toHaveLength(2);
      const events = receiver.received.map((r) => r.body).sort((a, b) => Number(a.timestamp) - Number(b.timestamp));
      const ids = new Set<string>();
      for (const r of receiver.received) {
        const expected = `sha256=${createHmac('sha256', SECRET).update(r.raw).digest('hex')}`;
        expect(r.headers['x-hub-signature']).toBe(expected);
        expect(r.headers['x-atlassian-webhook-flow']).toBe('Primary');
        expect(r.headers['x-atlassian-webhook-retry']).toBeUndefined();
        ids.add(String(r.headers['x-atlassian-webhook-identifier']));
      }
      expect(ids.size).toBe(2);

      const [created, updated] = events as [Record<string, any>, Record<string, any>];
      expect(created.webhookEvent).toBe('jira:issue_created');
      expect(created.issue_event_type_name).toBe('issue_created');
      expect(created.user.accountId).toBe(sandbox.users.sales.accountId);
      expect(created.user.emailAddress).toBeUndefined();
      expect(created.issue.self).toBe(`${base}/rest/api/2/${created.issue.id}`);
      expect(created.issue.fields.timeoriginalestimate).toBe(57600);
      expect(created.issue.fields.customfield_10016).toBe(5);
      expect(created.changelog).toBeUndefined();

      expect(updated.webhookEvent).toBe('jira:issue_updated');
      expect(updated.issue_event_type_name).toBe('issue_updated');
      expect(updated.issue.fields.labels).toEqual(['custom-request', 'urgent']);
      const items = updated.changelog.items as Record<string, unknown>[];
      expect(items).toEqual(
        expect.arrayContaining([
          { field: 'labels', fieldtype: 'jira', fieldId: 'labels', from: null, fromString: 'custom-request', to: null, toString: 'custom-request urgent' },
          { field: 'timeoriginalestimate', fieldtype: 'jira', fieldId: 'timeoriginalestimate', from: '57600', fromString: '57600', to: '115200', toString: '115200' },
          { field: 'Story point estimate', fieldtype: 'custom', fieldId: 'customfield_10016', from: null, fromString: '5', to: null, toString: '8' },
        ]),
      );
      expect(typeof updated.changelog.id).toBe('string');
    } finally {
      await receiver.close();
    }
  });

  it('renders each event as the issue was at its change, though deliveries leave later and in any order', async () => {
    const receiver = await startReceiver();
    const jittery = createJiraSandbox({ baseUrl: 'http://127.0.0.1:9', webhookJitterMs: 40 });
    try {
      jittery.registerWebhook({ url: receiver.url, secret: SECRET, events: ['jira:issue_updated', 'comment_updated'] });
      jittery.createIssue({ project: 'CR', summary: 'Acme SSO', originalEstimate: '1d' });
      const commentId = jittery.addComment('CR-1', 'first words', { as: 'bot' });
      for (const days of [2, 3, 4]) {
        jittery.editIssue('CR-1', { originalEstimate: `${days}d` });
        jittery.editComment('CR-1', commentId, `words at ${days}d`, { as: 'bot' });
      }
      await jittery.idle();
      const bodies = receiver.received.map((r) => r.body as Record<string, any>);
      const estimates = bodies.filter((b) => b.issue_event_type_name === 'issue_updated').map((b) => b.issue.fields.timeoriginalestimate / 28800);
      expect(estimates.sort()).toEqual([2, 3, 4]);
      const edited = bodies.filter((b) => b.webhookEvent === 'comment_updated').map((b) => JSON.stringify(b.comment.body));
      expect(edited).toHaveLength(3);
      for (const days of [2, 3, 4]) expect(edited.filter((text) => text.includes(`words at ${days}d`))).toHaveLength(1);
    } finally {
      await jittery.close();
      await receiver.close();
    }
  });

  it("sends echo events for the bot's own REST writes, with the bot as user/author", async () => {
    const receiver = await startReceiver();
    try {
      sandbox.createIssue({ project: 'CR', summary: 'Echo' });
      sandbox.registerWebhook({ url: receiver.url, secret: SECRET, events: ['jira:issue_updated', 'comment_created', 'jira:issue_deleted'] });
      const put = await fetch(`${base}/rest/api/3/issue/CR-1`, {
        method: 'PUT',
        headers: BOT,
        body: JSON.stringify({ update: { labels: [{ add: 'pool-ok' }] } }),
      });
      expect(put.status).toBe(204);
      const post = await fetch(`${base}/rest/api/3/issue/CR-1/comment`, {
        method: 'POST',
        headers: BOT,
        body: JSON.stringify({ body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'hi' }] }] } }),
      });
      expect(post.status).toBe(201);
      sandbox.deleteIssue('CR-1');
      await sandbox.idle();

      const byEvent = (name: string, type?: string): Record<string, any>[] =>
        receiver.received
          .map((r) => r.body as Record<string, any>)
          .filter((b) => b.webhookEvent === name && (type === undefined || b.issue_event_type_name === type));
      expect(byEvent('jira:issue_updated', 'issue_updated')[0]?.user.accountId).toBe(sandbox.users.bot.accountId);
      const comment = byEvent('comment_created')[0]!;
      expect(comment.comment.author.accountId).toBe(sandbox.users.bot.accountId);
      expect(comment.comment.body).toBe('hi');
      expect(comment.user).toBeUndefined();
      expect(byEvent('jira:issue_updated', 'issue_commented')[0]?.comment.id).toBe(comment.comment.id);
      const deleted = byEvent('jira:issue_deleted')[0]!;
      expect(deleted.issue.key).toBe('CR-1');
      expect(deleted.issue_event_type_name).toBeUndefined();
      expect(deleted.user.accountId).toBe(sandbox.users.sales.accountId);
    } finally {
      await receiver.close();
    }
  });

  it('retries 5xx with the same identifier and a retry count, and does not retry 400', async () => {
    const receiver = await startReceiver((n, r) => {
      if (r.body.webhookEvent === 'jira:issue_created') return n <= 2 ? 503 : 200;
      return 400;
    });
    try {
      sandbox.registerWebhook({ url: receiver.url, secret: SECRET, events: ['jira:issue_created', 'jira:issue_deleted'] });
      sandbox.createIssue({ project: 'CR', summary: 'Retry me' });
      await sandbox.idle();
      sandbox.deleteIssue('CR-1');
      await sandbox.idle();
      const created = receiver.received.filter((r) => r.body.webhookEvent === 'jira:issue_created');
      expect(created).toHaveLength(3);
      expect(new Set(created.map((r) => r.headers['x-atlassian-webhook-identifier'])).size).toBe(1);
      expect(created.map((r) => r.headers['x-atlassian-webhook-retry'])).toEqual([undefined, '1', '2']);
      expect(created.map((r) => r.raw.toString('utf8'))).toEqual(Array(3).fill(created[0]!.raw.toString('utf8')));
      const deleted = receiver.received.filter((r) => r.body.webhookEvent === 'jira:issue_deleted');
      expect(deleted).toHaveLength(1);
      expect(sandbox.deliveries.map((d) => d.outcome).sort()).toEqual(['delivered', 'failed']);
    } finally {
      await receiver.close();
    }
  });

  it('gives up after the maximum attempts when the receiver is down', async () => {
    const receiver = await startReceiver();
    const url = receiver.url;
    await receiver.close();
    sandbox.registerWebhook({ url, events: ['jira:issue_created'] });
    sandbox.createIssue({ project: 'CR', summary: 'Nobody listens' });
    await sandbox.idle();
    expect(sandbox.deliveries[0]?.attempts).toBe(5);
    expect(sandbox.deliveries[0]?.outcome).toBe('failed');
  });

  it('cancels deliveries in flight on reset: a receiver that never answers does not keep idle() waiting for the timeout', async () => {
    const held: import('node:http').ServerResponse[] = [];
    const silent = createServer((_req, res) => held.push(res));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    // A delivery timeout far beyond the test's own: only the cancel can end the delivery in time.
    const patient = createJiraSandbox({ baseUrl: 'http://127.0.0.1:9', webhookJitterMs: 0, webhookTimeoutMs: 600_000 });
    try {
      patient.registerWebhook({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hook`, events: ['jira:issue_created'] });
      patient.createIssue({ project: 'CR', summary: 'Acme SSO' });
      const record = patient.deliveries[0]!;
      while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
      patient.reset({ keepWebhooks: true });
      await patient.idle();
      expect(record.outcome).toBe('cancelled');
      expect(record.attempts).toBe(1);
    } finally {
      await patient.close();
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  }, 15_000);

  it('cancels deliveries still waiting out their jitter on reset, however many', async () => {
    // Jitter far beyond the test's own timeout: only the cancel can end the waits in time.
    const slow = createJiraSandbox({ baseUrl: 'http://127.0.0.1:9', webhookJitterMs: 600_000 });
    try {
      slow.registerWebhook({ url: 'http://127.0.0.1:9/hook', events: ['jira:issue_created'] });
      for (let i = 0; i < 25; i++) slow.createIssue({ project: 'CR', summary: `Request ${i}` });
      const records = [...slow.deliveries];
      expect(records).toHaveLength(25);
      slow.reset({ keepWebhooks: true });
      await slow.idle();
      await new Promise((r) => setImmediate(r));
      expect(records.map((r) => r.outcome)).toEqual(Array(25).fill('cancelled'));
      expect(records.every((r) => r.attempts === 0)).toBe(true);
    } finally {
      await slow.close();
    }
  }, 15_000);

  it('registers admin webhooks over REST, keeps the secret write-once and filters by JQL', async () => {
    const receiver = await startReceiver();
    try {
      const res = await fetch(`${base}/rest/webhooks/1.0/webhook`, {
        method: 'POST',
        headers: BOT,
        body: JSON.stringify({
          name: 'Pool Guard',
          url: receiver.url,
          events: ['jira:issue_created'],
          filters: { 'issue-related-events-section': 'project = OPS' },
          secret: SECRET,
        }),
      });
      expect(res.status).toBe(201);
      const created = (await res.json()) as Record<string, unknown>;
      expect(created.isSigned).toBe(true);
      expect(created.secret).toBeUndefined();
      expect(String(created.self)).toMatch(new RegExp(`^${base}/rest/webhooks/1.0/webhook/\\d+$`));
      const list = (await (await fetch(`${base}/rest/webhooks/1.0/webhook`, { headers: BOT })).json()) as unknown[];
      expect(list).toHaveLength(1);

      sandbox.createIssue({ project: 'CR', summary: 'Filtered out' });
      sandbox.createIssue({ project: 'OPS', summary: 'Delivered' });
      await sandbox.idle();
      expect(receiver.received.map((r) => (r.body.issue as { key: string }).key)).toEqual(['OPS-1']);

      const salesRes = await fetch(`${base}/rest/webhooks/1.0/webhook`, { headers: auth('sam@example.com', 'sandbox-sales-token') });
      expect(salesRes.status).toBe(403);
    } finally {
      await receiver.close();
    }
  });
});

describe('Jira sandbox mounted under a prefix', () => {
  let server: Server;
  let origin: string;
  let sandbox: JiraSandbox;

  beforeAll(async () => {
    const main = express();
    server = createServer(main);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sandbox = createJiraSandbox({ baseUrl: `${origin}/sandbox/jira`, webhookJitterMs: 0 });
    main.use('/sandbox/jira', sandbox.app);
  });
  afterAll(async () => {
    await sandbox.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  it('builds self URLs under the prefix and logs paths relative to it', async () => {
    const res = await fetch(`${origin}/sandbox/jira/rest/api/3/issue`, {
      method: 'POST',
      headers: BOT,
      body: JSON.stringify({ fields: { project: { key: 'CR' }, summary: 'Mounted', issuetype: { name: 'Task' } } }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; self: string };
    expect(created.self).toBe(`${origin}/sandbox/jira/rest/api/3/issue/${created.id}`);
    expect(sandbox.baseUrl).toBe(`${origin}/sandbox/jira`);
    expect(sandbox.requestLog.at(-1)).toMatchObject({ method: 'POST', path: '/rest/api/3/issue', status: 201 });
    expect(sandbox.countWrites({ accountId: sandbox.users.bot.accountId })).toBe(1);
  });

  it('serves escaped HTML pages with links under the prefix', async () => {
    sandbox.createIssue({ project: 'CR', summary: '<script>alert(1)</script> & co', labels: ['pool-over-limit'] });
    sandbox.setProperty('CR-2', 'pool-guard', { quarter: '2026-Q4', scope: 'CR', state: 'over-limit', usedDays: 12, limitDays: 10, days: 3, rank: 4 }, { as: 'bot' });
    sandbox.addComment('CR-2', '<b>bold?</b>', { as: 'bot' });
    const index = await (await fetch(`${origin}/sandbox/jira/`)).text();
    expect(index).toContain('href="/sandbox/jira/browse/CR-2"');
    expect(index).not.toContain('<script>alert(1)</script>');
    expect(index).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    const page = await fetch(`${origin}/sandbox/jira/browse/CR-2`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('over-limit');
    expect(html).toContain('&lt;b&gt;bold?&lt;/b&gt;');
    expect(html).toContain('Pool Guard');
    expect(html).not.toMatch(/<(script|link)\b/);
    expect((await fetch(`${origin}/sandbox/jira/browse/CR-99`)).status).toBe(404);
  });
});

describe('Jira sandbox ranking, JQL and bookkeeping', () => {
  let sandbox: JiraSandbox;
  let base: string;
  let clock = Date.UTC(2026, 10, 20, 10, 0, 0);

  beforeAll(async () => {
    sandbox = createJiraSandbox({ now: () => clock, webhookJitterMs: 0 });
    base = await sandbox.listen(0);
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());
  afterEach(() => sandbox.faults.clear());

  async function search(jql: string, extra: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
    const res = await fetch(`${base}/rest/api/3/search/jql`, {
      method: 'POST',
      headers: BOT,
      body: JSON.stringify({ jql, fields: ['summary', 'labels', 'customfield_10019'], ...extra }),
    });
    return { status: res.status, body: await res.json() };
  }

  it('ranks through the agile API so that string order is board order', async () => {
    for (const s of ['A', 'B', 'C', 'D']) sandbox.createIssue({ project: 'CR', summary: s });
    const res = await fetch(`${base}/rest/agile/1.0/issue/rank`, {
      method: 'PUT',
      headers: BOT,
      body: JSON.stringify({ issues: ['CR-4', 'CR-3'], rankBeforeIssue: 'CR-1' }),
    });
    expect(res.status).toBe(204);
    sandbox.rankIssue('CR-1', { after: 'CR-2' });
    const { body } = await search('project = CR ORDER BY Rank ASC');
    expect(body.issues.map((i: { key: string }) => i.key)).toEqual(['CR-4', 'CR-3', 'CR-2', 'CR-1']);
    const ranks = body.issues.map((i: { fields: Record<string, string> }) => i.fields.customfield_10019);
    expect([...ranks].sort()).toEqual(ranks);
  });

  it('keeps rank strings ordered after many insertions at the same place', () => {
    sandbox.createIssue({ project: 'CR', summary: 'top' });
    sandbox.createIssue({ project: 'CR', summary: 'bottom' });
    for (let i = 3; i < 40; i++) {
      sandbox.createIssue({ project: 'CR', summary: `n${i}` });
      sandbox.rankIssue(`CR-${i}`, { before: 'CR-2' });
    }
    const ordered = sandbox.issues('CR').sort((a, b) => (a.rank < b.rank ? -1 : 1)).map((i) => i.key);
    expect(ordered[0]).toBe('CR-1');
    expect(ordered.at(-1)).toBe('CR-2');
    expect(ordered.slice(1, -1)).toEqual(Array.from({ length: 37 }, (_, i) => `CR-${i + 3}`));
  });

  it('filters on labels, project lists, keys and updated, with minute-precision dates', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'old', labels: ['custom-request'] });
    clock += 30 * 60_000;
    sandbox.createIssue({ project: 'CR', summary: 'new', labels: ['custom-request', 'pool-ok'] });
    sandbox.createIssue({ project: 'OPS', summary: 'ops', labels: ['other'] });
    const keys = async (jql: string): Promise<string[]> => (await search(jql)).body.issues.map((i: { key: string }) => i.key);
    expect(await keys('project in (CR, OPS) AND labels in (custom-request, other) ORDER BY key ASC')).toEqual(['CR-1', 'CR-2', 'OPS-1']);
    expect(await keys('labels = pool-ok')).toEqual(['CR-2']);
    expect(await keys('project = CR AND updated >= "2026-11-20 10:15" ORDER BY key ASC')).toEqual(['CR-2']);
    expect(await keys('key in (CR-1, OPS-1) ORDER BY created DESC')).toEqual(['OPS-1', 'CR-1']);
    expect(await keys('project = CR AND labels != pool-ok')).toEqual(['CR-1']);
    expect((await search('project = NOPE')).status).toBe(400);
    expect((await search('project = CR AND updated >= "2026-11-20T10:15:00Z"')).status).toBe(400);
    expect((await search('')).body.errorMessages[0]).toMatch(/Unbounded JQL/);
  });

  it('bumps updated on every change, in Jira format', () => {
    sandbox.createIssue({ project: 'CR', summary: 'tick' });
    const before = sandbox.issue('CR-1')!;
    expect(before.updated).toBe('2026-11-20T10:30:00.000+0000');
    sandbox.editIssue('CR-1', { labels: ['x'] });
    const after = sandbox.issue('CR-1')!;
    expect(after.updatedMs).toBeGreaterThan(before.updatedMs);
    sandbox.editIssue('CR-1', { labels: ['x'] });
    expect(sandbox.issue('CR-1')!.updatedMs).toBe(after.updatedMs);
  });

  it('counts writes per account and ignores searches and reads', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'count' });
    const since = clock;
    await fetch(`${base}/rest/api/3/issue/CR-1`, { headers: BOT });
    await search('project = CR');
    await fetch(`${base}/rest/api/3/issue/CR-1/properties/pool-guard`, { method: 'PUT', headers: BOT, body: '{"state":"ok"}' });
    await fetch(`${base}/rest/api/3/issue/CR-1`, { method: 'PUT', headers: BOT, body: '{"update":{"labels":[{"add":"pool-ok"}]}}' });
    expect(sandbox.countWrites({ accountId: sandbox.users.bot.accountId, since })).toBe(2);
    expect(sandbox.countWrites({ accountId: sandbox.users.sales.accountId })).toBe(0);
  });

  it('answers faults only on matching requests, with 500/503 bodies', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'faulty' });
    sandbox.faults.add({ method: 'PUT', path: /\/properties\//, status: 503, times: 1 });
    sandbox.faults.add({ path: '/rest/api/3/issue/CR-1/comment', status: 500, times: 2 });
    expect((await fetch(`${base}/rest/api/3/issue/CR-1`, { headers: BOT })).status).toBe(200);
    const put = await fetch(`${base}/rest/api/3/issue/CR-1/properties/x`, { method: 'PUT', headers: BOT, body: '1' });
    expect(put.status).toBe(503);
    expect(put.headers.get('retry-after')).toBeNull();
    const c1 = await fetch(`${base}/rest/api/3/issue/CR-1/comment`, { headers: BOT });
    expect(c1.status).toBe(500);
    expect(await c1.json()).toEqual({ errorMessages: ['Internal server error'], errors: {} });
    expect((await fetch(`${base}/rest/api/3/issue/CR-1/comment`, { headers: BOT })).status).toBe(500);
    expect((await fetch(`${base}/rest/api/3/issue/CR-1/comment`, { headers: BOT })).status).toBe(200);
  });

  it('validates labels, property sizes and unknown fields like Jira', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'validate' });
    const put = (path: string, body: string): Promise<Response> => fetch(`${base}${path}`, { method: 'PUT', headers: BOT, body });
    const spaced = await put('/rest/api/3/issue/CR-1', '{"update":{"labels":[{"add":"has space"}]}}');
    expect(spaced.status).toBe(400);
    expect(((await spaced.json()) as { errors: Record<string, string> }).errors.labels).toMatch(/spaces/);
    const unknown = await put('/rest/api/3/issue/CR-1', '{"fields":{"customfield_99999":1}}');
    expect(unknown.status).toBe(400);
    const big = await put('/rest/api/3/issue/CR-1/properties/big', JSON.stringify({ v: 'x'.repeat(32_800) }));
    expect(big.status).toBe(400);
    const anon = await fetch(`${base}/rest/api/3/myself`);
    expect(anon.status).toBe(401);
    expect(await anon.json()).toEqual({ errorMessages: [expect.any(String)], errors: {} });
  });
});

describe('Jira sandbox edit issue: update.comment and properties', () => {
  let sandbox: JiraSandbox;
  let base: string;
  let clock = Date.UTC(2026, 10, 20, 10, 0, 0);
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const EVENTS = ['jira:issue_updated', 'comment_created', 'comment_updated', 'comment_deleted', 'issue_property_set'];
  const adf = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });
  const put = (path: string, body: unknown, headers = BOT): Promise<Response> =>
    fetch(`${base}${path}`, { method: 'PUT', headers, body: JSON.stringify(body) });
  const getJson = async (path: string): Promise<Record<string, any>> => (await (await fetch(`${base}${path}`, { headers: BOT })).json()) as Record<string, any>;
  /** The webhooks received since `from`, as `event/type` names (in arrival order, which deliveries do not keep). */
  const events = (from = 0): string[] =>
    receiver.received
      .slice(from)
      .map((r) => r.body as Record<string, any>)
      .map((b) => (b.issue_event_type_name ? `${b.webhookEvent}/${b.issue_event_type_name}` : String(b.webhookEvent)));

  beforeAll(async () => {
    sandbox = createJiraSandbox({ now: () => clock, webhookJitterMs: 0 });
    base = await sandbox.listen(0);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });
  beforeEach(() => {
    sandbox.reset();
    receiver.received.length = 0;
    sandbox.registerWebhook({ url: receiver.url, events: EVENTS });
  });

  it('edits a comment exactly as the comment endpoint does, in one write call', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'Edit via update' });
    const viaEndpoint = sandbox.addComment('CR-1', 'first', { as: 'bot' });
    const viaUpdate = sandbox.addComment('CR-1', 'first', { as: 'bot' });
    await sandbox.idle();
    const before = receiver.received.length;
    clock += 60_000;
    const since = clock;

    expect((await put(`/rest/api/3/issue/CR-1/comment/${viaEndpoint}`, { body: adf('second') })).status).toBe(200);
    await sandbox.idle();
    const middle = receiver.received.length;
    expect((await put('/rest/api/3/issue/CR-1', { update: { comment: [{ edit: { id: viaUpdate, body: adf('second') } }] } })).status).toBe(204);
    await sandbox.idle();
    expect(sandbox.countWrites({ accountId: sandbox.users.bot.accountId, since })).toBe(2);

    const a = await getJson(`/rest/api/3/issue/CR-1/comment/${viaEndpoint}`);
    const b = await getJson(`/rest/api/3/issue/CR-1/comment/${viaUpdate}`);
    const strip = ({ id, self, ...rest }: Record<string, any>) => rest;
    expect(strip(b)).toEqual(strip(a));
    expect(b.body).toEqual(adf('second'));
    expect(b.author.accountId).toBe(sandbox.users.bot.accountId);
    expect(b.updateAuthor.accountId).toBe(sandbox.users.bot.accountId);
    expect(b.updated).toBe(new Date(clock).toISOString().replace('Z', '+0000'));
    expect(b.created).not.toBe(b.updated);
    // The same webhooks, about the comment edited through the issue.
    expect(events(before).slice(0, middle - before).sort()).toEqual(['comment_updated', 'jira:issue_updated/issue_comment_edited']);
    expect(events(middle).sort()).toEqual(['comment_updated', 'jira:issue_updated/issue_comment_edited']);
    for (const r of receiver.received.slice(middle)) expect((r.body as Record<string, any>).comment.id).toBe(viaUpdate);
  });

  it('applies labels, a comment edit and a property in one call, each as its own endpoint would', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'All at once', labels: ['custom-request', 'pool-near-limit'] });
    const comment = sandbox.addComment('CR-1', 'old', { as: 'bot' });
    await sandbox.idle();
    const before = receiver.received.length;
    clock += 60_000;
    const since = clock;
    const res = await put('/rest/api/3/issue/CR-1', {
      update: { comment: [{ edit: { id: comment, body: adf('new') } }], labels: [{ add: 'pool-ok' }, { remove: 'pool-near-limit' }] },
      properties: [{ key: 'pool-guard', value: { state: 'ok', usedDays: 3 } }],
    });
    expect(res.status).toBe(204);
    await sandbox.idle();
    expect(sandbox.countWrites({ since })).toBe(1);
    const issue = sandbox.issue('CR-1')!;
    expect(issue.labels).toEqual(['custom-request', 'pool-ok']);
    expect(issue.properties['pool-guard']).toEqual({ state: 'ok', usedDays: 3 });
    expect(issue.comments.map((c) => [c.id, c.text, c.updateAuthorId])).toEqual([[comment, 'new', sandbox.users.bot.accountId]]);
    expect(events(before).sort()).toEqual(['comment_updated', 'issue_property_set', 'jira:issue_updated/issue_comment_edited', 'jira:issue_updated/issue_updated']);
    for (const r of receiver.received.slice(before)) {
      const body = r.body as Record<string, any>;
      expect(body.user?.accountId ?? body.comment?.updateAuthor.accountId).toBe(sandbox.users.bot.accountId);
    }
    expect(await getJson('/rest/api/3/issue/CR-1/properties/pool-guard')).toEqual({ key: 'pool-guard', value: { state: 'ok', usedDays: 3 } });
  });

  it('adds and removes comments through update.comment', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'Add and remove' });
    const old = sandbox.addComment('CR-1', 'to be removed', { as: 'bot' });
    await sandbox.idle();
    const before = receiver.received.length;
    const res = await put('/rest/api/3/issue/CR-1', { update: { comment: [{ remove: { id: old } }, { add: { body: adf('added') } }] } });
    expect(res.status).toBe(204);
    await sandbox.idle();
    const comments = sandbox.issue('CR-1')!.comments;
    expect(comments.map((c) => [c.text, c.authorId])).toEqual([['added', sandbox.users.bot.accountId]]);
    expect(events(before).sort()).toEqual(['comment_created', 'comment_deleted', 'jira:issue_updated/issue_commented']);
  });

  it('refuses an edit or remove of a comment that is not on the issue with a 400 on comment, and applies nothing', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'Target', labels: ['custom-request'] });
    sandbox.createIssue({ project: 'CR', summary: 'Other' });
    const mine = sandbox.addComment('CR-1', 'mine', { as: 'bot' });
    const elsewhere = sandbox.addComment('CR-2', 'on another issue', { as: 'bot' });
    const samsComment = sandbox.addComment('CR-1', 'by Sam');
    await sandbox.idle();
    const before = receiver.received.length;
    const snapshot = sandbox.issue('CR-1')!;
    const rest = { labels: [{ add: 'pool-ok' }] };
    const properties = [{ key: 'pool-guard', value: { state: 'ok' } }];

    for (const op of [
      { edit: { id: '999999', body: adf('x') } },
      { edit: { id: elsewhere, body: adf('x') } },
      { remove: { id: '999999' } },
      { edit: { id: samsComment, body: adf('x') } },
      { edit: { id: mine, body: 'not an ADF document' } },
    ]) {
      const res = await put('/rest/api/3/issue/CR-1', { update: { comment: [op], ...rest }, properties });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errorMessages: string[]; errors: Record<string, string> };
      expect(body).toEqual({ errorMessages: [], errors: { comment: expect.any(String) } });
    }
    expect(((await (await put('/rest/api/3/issue/CR-1', { update: { comment: [{ edit: { id: '999999', body: adf('x') } }] } })).json()) as any).errors.comment).toBe(
      'Can not find a comment for the id: 999999.',
    );
    // A remove and then an edit of the same comment: the edit finds nothing, and the remove is not applied either.
    const removeThenEdit = await put('/rest/api/3/issue/CR-1', { update: { comment: [{ remove: { id: mine } }, { edit: { id: mine, body: adf('x') } }] } });
    expect(removeThenEdit.status).toBe(400);

    await sandbox.idle();
    expect(sandbox.issue('CR-1')).toEqual(snapshot);
    expect(receiver.received.length).toBe(before);
    expect(sandbox.issue('CR-2')!.comments[0]!.text).toBe('on another issue');
  });

  it('sets properties in an edit with the property endpoint validation, checked before anything is applied', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'Properties', labels: ['custom-request'] });
    const mine = sandbox.addComment('CR-1', 'mine', { as: 'bot' });
    await sandbox.idle();
    const snapshot = sandbox.issue('CR-1')!;
    const withEdits = (properties: unknown) => ({ update: { labels: [{ add: 'pool-ok' }], comment: [{ edit: { id: mine, body: adf('changed') } }] }, properties });
    const cases: [unknown, RegExp][] = [
      [[{ key: 'big', value: { v: 'x'.repeat(32_800) } }], /longer than 32768/],
      [[{ key: 'k'.repeat(256), value: 1 }], /between 1 and 255/],
      [[{ key: '', value: 1 }], /between 1 and 255/],
      [[{ key: 'nothing' }], /non-empty JSON/],
    ];
    for (const [properties, message] of cases) {
      const res = await put('/rest/api/3/issue/CR-1', withEdits(properties));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errorMessages: string[] }).errorMessages[0]).toMatch(message);
    }
    await sandbox.idle();
    expect(sandbox.issue('CR-1')).toEqual(snapshot);

    const exactly = { v: 'x'.repeat(32_768 - '{"v":""}'.length) };
    expect((await put('/rest/api/3/issue/CR-1', { properties: [{ key: 'k'.repeat(255), value: exactly }, { key: 'pool-guard', value: 'text' }] })).status).toBe(204);
    expect(sandbox.issue('CR-1')!.properties).toEqual({ ['k'.repeat(255)]: exactly, 'pool-guard': 'text' });
  });

  it('takes update.comment in a transition (the spec example) and applies nothing of a refused one', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'Transition' });
    const post = (body: unknown) => fetch(`${base}/rest/api/3/issue/CR-1/transitions`, { method: 'POST', headers: BOT, body: JSON.stringify(body) });
    const refused = await post({ transition: { id: '31' }, update: { comment: [{ edit: { id: '999999', body: adf('x') } }] } });
    expect(refused.status).toBe(400);
    expect(sandbox.issue('CR-1')!.status).toBe('To Do');
    const ok = await post({ transition: { id: '31' }, update: { comment: [{ add: { body: adf('Bug has been fixed') } }] } });
    expect(ok.status).toBe(204);
    expect(sandbox.issue('CR-1')!.status).toBe('Done');
    expect(sandbox.issue('CR-1')!.comments.map((c) => c.text)).toEqual(['Bug has been fixed']);
  });

  it('refuses comment operations on create, as before', async () => {
    const res = await fetch(`${base}/rest/api/3/issue`, {
      method: 'POST',
      headers: BOT,
      body: JSON.stringify({ fields: { project: { key: 'CR' }, summary: 'New', issuetype: { name: 'Task' } }, update: { comment: [{ add: { body: adf('x') } }] } }),
    });
    expect(res.status).toBe(400);
    expect(sandbox.issues()).toHaveLength(0);
  });
});
