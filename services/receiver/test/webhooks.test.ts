/**
 * The webhook receiver over real HTTP, with the real Jira and Linear plugins, the vendors' fixture
 * payloads (raw bytes, real HMACs) and a real Redis (the ingest stream) behind it.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema } from '@pool-guard/shared/config';
import { boundPort, closeServer, listen } from '@pool-guard/shared/http';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { createReceiverApp } from '../src/app.js';
import { forgetOwnAccounts } from '../src/use-cases/own-account.js';

const SPECS = resolve(process.cwd(), '../shared/specs');
const JIRA_SECRET = 'test-jira-webhook-secret';
const LINEAR_SECRET = 'lin_wh_test_signing_secret';

function fixture(tracker: 'jira' | 'linear', name: string): { body: Buffer; headers: Record<string, string> } {
  const headers = JSON.parse(readFileSync(resolve(SPECS, tracker, 'webhooks', `${tracker}-headers.json`), 'utf8')).headers[name];
  return { body: readFileSync(resolve(SPECS, tracker, 'webhooks', name)), headers };
}

function jiraSign(body: Buffer | string, secret = JIRA_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

describe('webhook receiver', () => {
  let runtime: Runtime;
  let server: Server;
  let base: string;
  let clock = Date.now();

  beforeAll(async () => {
    const config = configFileSchema.parse({
      adminTokens: [{ token: 'receiver-test-admin-token' }],
      tenants: [
        { id: 'acme', tracker: 'jira', baseUrl: 'http://127.0.0.1:9', email: 'bot@example.com', apiToken: 'x', webhookSecret: JIRA_SECRET },
        { id: 'rotating', tracker: 'jira', baseUrl: 'http://127.0.0.1:9', email: 'bot@example.com', apiToken: 'x', webhookSecret: 'new-secret', additionalWebhookSecrets: [JIRA_SECRET] },
        { id: 'widgets', tracker: 'linear', apiKey: 'lin_api_x', apiUrl: 'http://127.0.0.1:9/graphql', webhookSecret: LINEAR_SECRET },
      ],
      redisKeyPrefix: uniquePrefix('recv'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    const app = createReceiverApp({ ...runtime, now: () => clock }, [{ name: 'redis', check: () => runtime.redisHealthy() }]);
    server = await listen(app, 0, '127.0.0.1');
    base = `http://127.0.0.1:${boundPort(server)}`;
  });
  afterAll(async () => {
    await closeServer(server);
    await runtime.redis.del(runtime.queues.ingest.key);
    await runtime.close();
  });

  const post = (path: string, body: Buffer | string, headers: Record<string, string>) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  /** Every event on the ingest stream, as the worker will queue it. */
  const queued = async () =>
    (await runtime.queues.ingest.entries(100_000)).flatMap(({ entry }) => entry!.events.map((event) => ({ ...entry!, event })));

  it.each(['jira-issue-created.json', 'jira-issue-updated-estimate-changed.json', 'jira-issue-updated-labels.json', 'jira-issue-deleted.json'])(
    'accepts the Jira fixture %s with its real signature and queues its event',
    async (name) => {
      const { body, headers } = fixture('jira', name);
      const res = await post('/webhooks/jira/acme', body, headers);
      expect(res.status).toBe(202);
      const jobs = await queued();
      const job = jobs.find((d) => d.deliveryId === headers['x-atlassian-webhook-identifier']);
      expect(job).toMatchObject({ tenant: 'acme', event: { ticketKey: 'CR-42', ticketId: '10042' } });
      expect(job!.event.kind).toBe(name.includes('deleted') ? 'ticket.deleted' : 'ticket.changed');
    },
  );

  it('answers a redelivery (same identifier) with 200 and queues nothing more', async () => {
    const { body, headers } = fixture('jira', 'jira-issue-created.json');
    const before = (await queued()).length;
    const res = await post('/webhooks/jira/acme', body, { ...headers, 'x-atlassian-webhook-retry': '1' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'duplicate' });
    expect((await queued()).length).toBe(before);
  });

  it('refuses a wrong, a missing and a tampered signature with 401', async () => {
    const { body, headers } = fixture('jira', 'jira-issue-created.json');
    const fresh: Record<string, string> = { ...headers, 'x-atlassian-webhook-identifier': 'sig-test-1' };
    expect((await post('/webhooks/jira/acme', body, { ...fresh, 'x-hub-signature': jiraSign(body, 'wrong-secret') })).status).toBe(401);
    const unsigned = Object.fromEntries(Object.entries(fresh).filter(([k]) => k !== 'x-hub-signature'));
    const missing = await post('/webhooks/jira/acme', body, unsigned);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: string }).error).toMatch(/signature/i);
    const tampered = Buffer.from(body.toString('utf8').replace('CR-42', 'CR-43'));
    expect((await post('/webhooks/jira/acme', tampered, fresh)).status).toBe(401);
  });

  it('accepts a delivery signed with a secret being rotated out', async () => {
    const { body, headers } = fixture('jira', 'jira-issue-created.json');
    expect((await post('/webhooks/jira/rotating', body, headers)).status).toBe(202);
  });

  it('answers 400 to a signed body that is not JSON, and to JSON that is not a Jira event', async () => {
    const bad = '{"webhookEvent": "jira:issue_created", ';
    const res = await post('/webhooks/jira/acme', bad, { 'x-hub-signature': jiraSign(bad), 'x-atlassian-webhook-identifier': 'bad-json-1' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/JSON/);
    const noIssue = JSON.stringify({ webhookEvent: 'jira:issue_updated', timestamp: 1 });
    expect((await post('/webhooks/jira/acme', noIssue, { 'x-hub-signature': jiraSign(noIssue), 'x-atlassian-webhook-identifier': 'bad-json-2' })).status).toBe(400);
  });

  it('answers 413 to a body over 1 MB, before reading it all', async () => {
    const big = Buffer.alloc(1024 * 1024 + 10, 'a');
    const res = await post('/webhooks/jira/acme', big, { 'x-hub-signature': jiraSign(big) });
    expect(res.status).toBe(413);
  });

  it('answers 413 to a chunked body that grows past 1 MB, and still takes the next webhook on that connection', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 17; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await fetch(`${base}/webhooks/jira/acme`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature': jiraSign('x') },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'request body is too large' });
    const { body, headers } = fixture('jira', 'jira-issue-updated-labels.json');
    expect((await post('/webhooks/jira/acme', body, { ...headers, 'x-atlassian-webhook-identifier': 'after-413' })).status).toBe(202);
  });

  it('reads a chunked body (no Content-Length) and a gzip-encoded one like any other', async () => {
    const { body, headers } = fixture('jira', 'jira-issue-updated-estimate-changed.json');
    const chunked = await fetch(`${base}/webhooks/jira/acme`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers, 'x-atlassian-webhook-identifier': 'chunked-1' },
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(body.subarray(0, 100));
          controller.enqueue(body.subarray(100));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(202);
    const { gzipSync } = await import('node:zlib');
    const gzipped = await post('/webhooks/jira/acme', gzipSync(body), { ...headers, 'content-encoding': 'gzip', 'x-atlassian-webhook-identifier': 'gzip-1' });
    expect(gzipped.status).toBe(202);
    const unknown = await post('/webhooks/jira/acme', body, { ...headers, 'content-encoding': 'x-unknown', 'x-atlassian-webhook-identifier': 'enc-1' });
    expect(unknown.status).toBe(415);
    const ids = (await queued()).map((d) => d.deliveryId);
    expect(ids).toEqual(expect.arrayContaining(['chunked-1', 'gzip-1']));
    expect(ids).not.toContain('enc-1');
  });

  it('drops a body shorter than its Content-Length when the sender gives up, queues nothing and keeps serving', async () => {
    const before = (await queued()).length;
    const { request } = await import('node:http');
    const { port } = new URL(base);
    const status = await new Promise<number | 'closed'>((resolveStatus) => {
      const req = request({ host: '127.0.0.1', port: Number(port), method: 'POST', path: '/webhooks/jira/acme', headers: { 'content-length': '100', 'content-type': 'application/json' } });
      req.on('response', (res) => resolveStatus(res.statusCode ?? 0));
      req.on('error', () => resolveStatus('closed'));
      req.write('{"webhookEvent":');
      setTimeout(() => req.destroy(), 100);
    });
    // The sender hung up: nobody is left to read an answer, and nothing was queued.
    expect(status).toBe('closed');
    expect((await queued()).length).toBe(before);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it("acknowledges and drops Pool Guard's own echoes once the worker has recorded its account", async () => {
    const { body, headers } = fixture('jira', 'jira-issue-updated-labels.json');
    const actor = (JSON.parse(body.toString('utf8')) as { user: { accountId: string } }).user.accountId;
    await runtime.throttle.cacheAccountId('rotating', actor);
    forgetOwnAccounts();
    const before = (await queued()).length;
    const echo = await post('/webhooks/jira/rotating', body, { ...headers, 'x-atlassian-webhook-identifier': 'echo-1' });
    expect(echo.status).toBe(202);
    expect(await echo.json()).toMatchObject({ status: 'ignored' });
    expect((await queued()).length).toBe(before);
    // Someone else's change on the same tenant is queued as ever.
    await runtime.throttle.cacheAccountId('rotating', 'pool-guard-bot-account');
    forgetOwnAccounts();
    const real = await post('/webhooks/jira/rotating', body, { ...headers, 'x-atlassian-webhook-identifier': 'not-echo-1' });
    expect(real.status).toBe(202);
    expect(await real.json()).toMatchObject({ status: 'accepted' });
    expect((await queued()).map((d) => d.deliveryId)).toContain('not-echo-1');
  });

  it('answers 404 to an unknown tenant, a tenant of another tracker and an unknown tracker', async () => {
    const { body, headers } = fixture('jira', 'jira-issue-created.json');
    expect((await post('/webhooks/jira/nobody', body, headers)).status).toBe(404);
    expect((await post('/webhooks/jira/widgets', body, headers)).status).toBe(404);
    expect((await post('/webhooks/github/acme', body, headers)).status).toBe(404);
  });

  it('acknowledges and ignores an event it does not use', async () => {
    const body = JSON.stringify({ timestamp: Date.now(), webhookEvent: 'sprint_started', sprint: { id: 1 } });
    const before = (await queued()).length;
    const res = await post('/webhooks/jira/acme', body, { 'x-hub-signature': jiraSign(body), 'x-atlassian-webhook-identifier': 'sprint-1' });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'ignored' });
    expect((await queued()).length).toBe(before);
  });

  it.each(['linear-issue-create.json', 'linear-issue-update.json', 'linear-issue-remove.json'])(
    'accepts the Linear fixture %s with exactly 200 (clock at its webhookTimestamp)',
    async (name) => {
      const { body, headers } = fixture('linear', name);
      clock = JSON.parse(body.toString('utf8')).webhookTimestamp + 1000;
      const res = await post('/webhooks/linear/widgets', body, headers);
      expect(res.status).toBe(200);
      const again = await post('/webhooks/linear/widgets', body, headers);
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ status: 'duplicate' });
    },
  );

  it('refuses a Linear delivery whose timestamp is more than 60 s away', async () => {
    const { body, headers } = fixture('linear', 'linear-issue-create.json');
    clock = JSON.parse(body.toString('utf8')).webhookTimestamp + 61_000;
    expect((await post('/webhooks/linear/widgets', body, { ...headers, 'linear-delivery': 'late-1' })).status).toBe(401);
    clock = JSON.parse(body.toString('utf8')).webhookTimestamp - 61_000;
    expect((await post('/webhooks/linear/widgets', body, { ...headers, 'linear-delivery': 'early-1' })).status).toBe(401);
  });

  it('reports health', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });
});
