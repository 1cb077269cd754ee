/**
 * The receiver's fast lane (plain webhook deliveries answered on node:http, past express) against
 * the express route it stands in front of: the same requests, sent to a server with the fast lane
 * and to one with the express app alone, get the same status and body; and which requests the
 * fast lane takes, and which it leaves to express. Real HTTP, real Redis.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema } from '@pool-guard/shared/config';
import { boundPort, closeServer, errorHandler, listen, notFoundHandler } from '@pool-guard/shared/http';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import type { TenantRegistry } from '@pool-guard/shared/tracker';
import type { ReceiverDeps } from '../src/receiver-deps.js';
import { plainWebhookTarget, withWebhookFastLane } from '../src/routes/webhook-fast-lane.js';
import { mountWebhooks } from '../src/routes/webhooks.js';

const SPECS = resolve(process.cwd(), '../shared/specs');
const SECRET = 'fast-lane-test-secret';

const sign = (body: Buffer | string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

describe('plainWebhookTarget', () => {
  it.each([
    ['POST', '/webhooks/jira/acme', { tracker: 'jira', tenantId: 'acme' }],
    ['POST', '/webhooks/linear/widgets', { tracker: 'linear', tenantId: 'widgets' }],
    ['POST', '/webhooks/jira/acme/', { tracker: 'jira', tenantId: 'acme' }],
    ['POST', '/webhooks/jira/acme?source=jira', { tracker: 'jira', tenantId: 'acme' }],
    ['POST', '/webhooks/jira/acme/?a=/b/c', { tracker: 'jira', tenantId: 'acme' }],
    ['POST', '/webhooks/jira/team.eu-1', { tracker: 'jira', tenantId: 'team.eu-1' }],
  ])('takes %s %s', (method, url, target) => {
    expect(plainWebhookTarget(method, url)).toEqual(target);
  });

  it.each([
    ['GET', '/webhooks/jira/acme'],
    ['PUT', '/webhooks/jira/acme'],
    ['POST', undefined],
    ['POST', '/webhooks/jira'],
    ['POST', '/webhooks/jira/'],
    ['POST', '/webhooks//acme'],
    ['POST', '/webhooks/github/acme'],
    ['POST', '/webhooks/JIRA/acme'],
    ['POST', '/Webhooks/jira/acme'],
    ['POST', '/webhooks/jira/ac%6De'],
    ['POST', '/webhooks/jira/acme/extra'],
    ['POST', '/webhooks/jira/acme//'],
    ['POST', 'http://example.com/webhooks/jira/acme'],
    ['POST', '/healthz'],
  ])('leaves %s %s to express', (method, url) => {
    expect(plainWebhookTarget(method, url)).toBeNull();
  });
});

interface Answer {
  status: number;
  body: string;
  contentType: string | undefined;
}

/** One request on its own connection; the answer's status, body and content type. */
function send(port: number, method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type'] }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

describe('fast lane and express route', () => {
  let runtime: Runtime;
  let fast: Server;
  let plain: Server;
  let broken: Server;
  let brokenPlain: Server;
  let bareThrow: Server;
  let bareThrowPlain: Server;
  /** Requests the fast-lane server passed on to express. */
  const passedOn: string[] = [];

  function expressApp(deps: ReceiverDeps): RequestListener {
    const app = express();
    mountWebhooks(app, deps);
    app.use(notFoundHandler());
    app.use(errorHandler(deps.logger));
    return app;
  }

  beforeAll(async () => {
    const config = configFileSchema.parse({
      adminTokens: [{ token: 'fast-lane-test-admin-token' }],
      tenants: [
        { id: 'acme', tracker: 'jira', baseUrl: 'http://127.0.0.1:9', email: 'bot@example.com', apiToken: 'x', webhookSecret: SECRET },
        { id: 'widgets', tracker: 'linear', apiKey: 'lin_api_x', apiUrl: 'http://127.0.0.1:9/graphql', webhookSecret: 'lin_wh_secret' },
      ],
      redisKeyPrefix: uniquePrefix('fastlane'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    const app = expressApp(runtime);
    fast = await listen(
      withWebhookFastLane(runtime, (req: IncomingMessage, res: ServerResponse) => {
        passedOn.push(`${req.method} ${req.url}`);
        app(req, res);
      }),
      0,
      '127.0.0.1',
    );
    plain = await listen(expressApp(runtime), 0, '127.0.0.1');
    // A registry that fails: what a bug past the body reader looks like to each path.
    const failing: ReceiverDeps = {
      ...runtime,
      tenants: {
        get() {
          throw new Error('registry exploded');
        },
      } as unknown as TenantRegistry,
    };
    broken = await listen(withWebhookFastLane(failing, expressApp(failing)), 0, '127.0.0.1');
    brokenPlain = await listen(expressApp(failing), 0, '127.0.0.1');
    // A bug that throws something that is not an Error (no message to log).
    const throwing: ReceiverDeps = {
      ...runtime,
      tenants: {
        get() {
          // eslint-disable-next-line @typescript-eslint/only-throw-error
          throw undefined;
        },
      } as unknown as TenantRegistry,
    };
    bareThrow = await listen(withWebhookFastLane(throwing, expressApp(throwing)), 0, '127.0.0.1');
    bareThrowPlain = await listen(expressApp(throwing), 0, '127.0.0.1');
  });
  afterAll(async () => {
    for (const server of [fast, plain, broken, brokenPlain, bareThrow, bareThrowPlain]) await closeServer(server);
    await runtime.redis.del(runtime.queues.ingest.key);
    await runtime.close();
  });

  const fixture = (name: string) => readFileSync(resolve(SPECS, 'jira', 'webhooks', name));

  /** Sends the same request to both servers (a fresh delivery id each, unless it is a redelivery) and expects the same answer. */
  async function same(method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<Answer> {
    const a = await send(boundPort(fast), method, path, headers, body);
    const b = await send(boundPort(plain), method, path, headers, body);
    expect({ path, ...a }).toEqual({ path, ...b });
    return a;
  }

  it('answers every outcome as the express route does', async () => {
    const body = fixture('jira-issue-updated-labels.json');
    const signed = (id: string) => ({ 'content-type': 'application/json', 'x-hub-signature': sign(body), 'x-atlassian-webhook-identifier': id });
    // Accepted on each server (their own delivery ids), then a duplicate on each.
    const first = await send(boundPort(fast), 'POST', '/webhooks/jira/acme', signed('fl-1'), body);
    const second = await send(boundPort(plain), 'POST', '/webhooks/jira/acme', signed('fl-2'), body);
    expect(first).toEqual(second);
    expect(first).toEqual({ status: 202, body: '{"status":"accepted","events":1}', contentType: 'application/json; charset=utf-8' });
    expect((await same('POST', '/webhooks/jira/acme', signed('fl-1'), body)).status).toBe(200);

    const outcomes: Array<[string, Record<string, string>, Buffer | string | undefined, number]> = [
      ['/webhooks/jira/acme', { 'x-hub-signature': sign('other'), 'x-atlassian-webhook-identifier': 'fl-3' }, body, 401],
      ['/webhooks/jira/acme', { 'x-atlassian-webhook-identifier': 'fl-4' }, body, 401],
      ['/webhooks/jira/acme', { 'x-hub-signature': sign('{"webhookEvent":'), 'x-atlassian-webhook-identifier': 'fl-5' }, '{"webhookEvent":', 400],
      ['/webhooks/jira/nobody', signed('fl-6'), body, 404],
      ['/webhooks/jira/widgets', signed('fl-7'), body, 404],
      ['/webhooks/jira/acme', {}, undefined, 401],
    ];
    for (const [path, headers, sent, status] of outcomes) {
      const answer = await same('POST', path, headers, sent);
      expect({ path, status: answer.status }).toEqual({ path, status });
    }
    const ignoredBody = JSON.stringify({ timestamp: 1, webhookEvent: 'sprint_started', sprint: { id: 1 } });
    const ignored = await same('POST', '/webhooks/jira/acme', { 'x-hub-signature': sign(ignoredBody), 'x-atlassian-webhook-identifier': 'fl-8' }, ignoredBody);
    expect(ignored).toMatchObject({ status: 202, body: '{"status":"ignored","event":"sprint_started"}' });
    const big = Buffer.alloc(1024 * 1024 + 1, 'a');
    expect((await same('POST', '/webhooks/jira/acme', { 'x-hub-signature': sign(big) }, big)).body).toBe('{"error":"request body is too large"}');
  });

  it('takes plain deliveries itself and passes everything else on to express', async () => {
    passedOn.length = 0;
    const body = fixture('jira-issue-created.json');
    for (let i = 0; i < 20; i++) {
      const answer = await send(boundPort(fast), 'POST', i % 2 ? '/webhooks/jira/acme/' : '/webhooks/jira/acme?from=jira', { 'x-hub-signature': sign(body), 'x-atlassian-webhook-identifier': `take-${i}` }, body);
      expect(answer.status).toBe(202);
    }
    expect(passedOn).toEqual([]);

    // Other letter cases, a percent-encoded tenant and a gzip body: express's route takes them, and accepts them.
    const { gzipSync } = await import('node:zlib');
    expect((await send(boundPort(fast), 'POST', '/WEBHOOKS/jira/acme', { 'x-hub-signature': sign(body), 'x-atlassian-webhook-identifier': 'pass-1' }, body)).status).toBe(202);
    expect((await send(boundPort(fast), 'POST', '/webhooks/jira/ac%6De', { 'x-hub-signature': sign(body), 'x-atlassian-webhook-identifier': 'pass-2' }, body)).status).toBe(202);
    expect((await send(boundPort(fast), 'POST', '/webhooks/jira/acme', { 'x-hub-signature': sign(body), 'x-atlassian-webhook-identifier': 'pass-3', 'content-encoding': 'gzip' }, gzipSync(body))).status).toBe(202);
    // Unknown trackers, other methods and other paths: express's answers.
    expect(await same('POST', '/webhooks/github/acme', {}, '{}')).toMatchObject({ status: 404, body: '{"error":"unknown tracker \\"github\\"; use jira or linear"}' });
    expect((await same('GET', '/webhooks/jira/acme', {})).status).toBe(404);
    expect((await same('POST', '/webhooks/jira/ac%zz', {}, '{}')).status).toBe(400);
    expect(passedOn).toEqual([
      'POST /WEBHOOKS/jira/acme',
      'POST /webhooks/jira/ac%6De',
      'POST /webhooks/jira/acme',
      'POST /webhooks/github/acme',
      'GET /webhooks/jira/acme',
      'POST /webhooks/jira/ac%zz',
    ]);
    const ids = (await runtime.queues.ingest.entries(100_000)).map(({ entry }) => entry!.deliveryId);
    expect(ids).toEqual(expect.arrayContaining(['take-0', 'take-19', 'pass-1', 'pass-2', 'pass-3']));
  });

  it('answers a failure past the body reader with 500 and no details, as express does, and keeps serving', async () => {
    const body = fixture('jira-issue-created.json');
    const headers = { 'x-hub-signature': sign(body), 'x-atlassian-webhook-identifier': 'boom-1' };
    const a = await send(boundPort(broken), 'POST', '/webhooks/jira/acme', headers, body);
    const b = await send(boundPort(brokenPlain), 'POST', '/webhooks/jira/acme', headers, body);
    expect(a).toEqual({ status: 500, body: '{"error":"internal error"}', contentType: 'application/json; charset=utf-8' });
    expect(b).toEqual(a);
    expect((await send(boundPort(broken), 'POST', '/webhooks/jira/acme', headers, body)).status).toBe(500);
  });

  it('answers 500 for a failure that is not an Error too (nothing to log but the fact), as express does', async () => {
    const body = fixture('jira-issue-created.json');
    const headers = { 'x-hub-signature': sign(body), 'x-atlassian-webhook-identifier': 'boom-2' };
    const a = await send(boundPort(bareThrow), 'POST', '/webhooks/jira/acme', headers, body);
    const b = await send(boundPort(bareThrowPlain), 'POST', '/webhooks/jira/acme', headers, body);
    expect(a).toEqual({ status: 500, body: '{"error":"internal error"}', contentType: 'application/json; charset=utf-8' });
    expect(b).toEqual(a);
  });
});
