/**
 * Fuzzing the webhook routes (`/webhooks/jira/{tenant}`, `/webhooks/linear/{tenant}`): over
 * 100,000 generated and mutated deliveries, part over real keep-alive HTTP, part through the
 * use-case (`receiveWebhook`) and the plugins' `verify` / `parseWebhook` directly, on a real Redis
 * and BullMQ queue.
 *
 * Inputs: the vendors' fixtures (raw bytes) mutated byte by byte and member by member, random
 * JSON, values of the wrong type, deep nesting and bodies near and over 1 MB, bad UTF-8, odd
 * headers, content types and encodings, odd delivery ids, redeliveries, paths and methods, and
 * (so that parsing is reached) most of them correctly signed with the tenant's secret, Linear ones
 * with a fresh `webhookTimestamp`. Raw-socket requests send broken HTTP.
 *
 * Checked: no crash, no 5xx, every answer one of the documented statuses (Linear: success is
 * exactly 200); every job on the queue validates against its catalog schema and belongs to a
 * configured tenant of the right tracker; every acknowledged event is on the queue (one job per
 * event acknowledged, no more, no less); heap after a forced GC stays flat. Counts are printed.
 * POOLGUARD_FUZZ_SEED=<n> replays a run; the seed is printed.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema } from '@pool-guard/shared/config';
import { boundPort, closeServer, listen } from '@pool-guard/shared/http';
import { silentLogger } from '@pool-guard/shared/logging';
import { JOBS } from '@pool-guard/shared/queue';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import {
  FuzzRandom,
  ODD_CONTENT_TYPES,
  ODD_STRINGS,
  deepJsonText,
  driveHttp,
  memoryAfterGc,
  mutateBytes,
  mutateJson,
  oddValue,
  percentEncode,
  rawHttp,
  testRedisUrl,
  uniquePrefix,
  withBadUtf8,
  type HttpAnswer,
  type HttpCase,
} from '@pool-guard/shared/testing';
import type { RawWebhook, TrackerId, TrackerPlugin } from '@pool-guard/shared/tracker';
import { createReceiverApp } from '../src/app.js';
import { receiveWebhook, type ReceiveOutcome } from '../src/use-cases/receive-webhook.js';

// POOLGUARD_FUZZ_SCALE=0.1 for a quick run while changing the fuzzer (the count check then fails).
const SCALE = Number(process.env.POOLGUARD_FUZZ_SCALE ?? 1);
const HTTP_CASES = Math.round(20_000 * SCALE);
const DIRECT_CASES = Math.round(82_000 * SCALE);
const RAW_SOCKET_CASES = Math.round(300 * SCALE);
const CONCURRENCY = 24;
const SEED = Number(process.env.POOLGUARD_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

const SPECS = resolve(process.cwd(), '../shared/specs');
const JIRA_SECRET = 'test-jira-webhook-secret'; // the fixtures' secret
const LINEAR_SECRET = 'lin_wh_test_signing_secret';

interface FuzzTenant {
  id: string;
  tracker: TrackerId;
  secret: string;
}
const TENANTS: readonly FuzzTenant[] = [
  { id: 'acme', tracker: 'jira', secret: JIRA_SECRET },
  { id: 'rotating', tracker: 'jira', secret: 'rotating-new-jira-secret' },
  { id: 'widgets', tracker: 'linear', secret: LINEAR_SECRET },
  { id: 'gadgets', tracker: 'linear', secret: 'another-linear-signing-secret' },
];
const PLUGINS: Record<TrackerId, TrackerPlugin> = { jira: jiraPlugin, linear: linearPlugin };

/**
 * What the README documents for each route ("Connecting Jira Cloud", "Connecting Linear"), plus
 * HTTP's own answers to requests no tracker sends (415 for an unknown Content-Encoding, 417 for an
 * odd Expect), documented there too.
 */
const HTTP_LEVEL = [415, 417];
const WEBHOOK_STATUSES: Record<TrackerId, ReadonlySet<number>> = {
  jira: new Set([200, 202, 400, 401, 404, 413, ...HTTP_LEVEL]),
  linear: new Set([200, 400, 401, 404, 413, ...HTTP_LEVEL]),
};
/** Anything else under the receiver: unknown routes, methods and paths (OPTIONS: 200 with the allowed methods). */
const OTHER_STATUSES: ReadonlySet<number> = new Set([400, 404, 413, ...HTTP_LEVEL]);
const OUTCOMES: ReadonlySet<ReceiveOutcome['kind']> = new Set(['accepted', 'duplicate', 'ignored', 'unknown_tenant', 'bad_signature', 'bad_body']);

interface Fixture {
  tracker: TrackerId;
  name: string;
  body: Buffer;
  json: unknown;
  headers: Record<string, string>;
}

function loadFixtures(tracker: TrackerId): Fixture[] {
  const dir = resolve(SPECS, tracker, 'webhooks');
  const all = JSON.parse(readFileSync(resolve(dir, `${tracker}-headers.json`), 'utf8')).headers as Record<string, Record<string, string>>;
  return Object.entries(all).map(([name, headers]) => {
    const body = readFileSync(resolve(dir, name));
    return { tracker, name, body, json: JSON.parse(body.toString('utf8')), headers };
  });
}

interface Case extends HttpCase {
  category: string;
  tracker: TrackerId;
  tenant: string;
  /** The route is a webhook route of this tracker (else: another path or method). */
  webhookRoute: boolean;
  /** Over 1 MB: the server may answer 413 and close before the client has sent it all. */
  oversize: boolean;
}

describe('webhook fuzzing', () => {
  let runtime: Runtime;
  let server: Server;
  let base: string;
  let port: number;
  const rng = new FuzzRandom(SEED);
  const fixtures = [...loadFixtures('jira'), ...loadFixtures('linear')];
  let deliverySeq = 0;
  const recentDeliveries: Array<{ tenant: FuzzTenant; body: Buffer; headers: Record<string, string> }> = [];

  beforeAll(async () => {
    const config = configFileSchema.parse({
      adminTokens: [{ token: 'fuzz-admin-token-0123456789' }],
      tenants: TENANTS.map((t) =>
        t.tracker === 'jira'
          ? {
              id: t.id,
              tracker: 'jira',
              baseUrl: 'http://127.0.0.1:9',
              email: 'bot@example.com',
              apiToken: 'x',
              webhookSecret: t.secret,
              ...(t.id === 'rotating' ? { additionalWebhookSecrets: [JIRA_SECRET] } : {}),
            }
          : { id: t.id, tracker: 'linear', apiKey: 'lin_api_x', apiUrl: 'http://127.0.0.1:9/graphql', webhookSecret: t.secret },
      ),
      redisKeyPrefix: uniquePrefix('fuzz'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: PLUGINS, logger: silentLogger() });
    server = await listen(createReceiverApp(runtime, [{ name: 'redis', check: () => runtime.redisHealthy() }]), 0, '127.0.0.1');
    port = boundPort(server);
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    if (server) await closeServer(server);
    await runtime?.redis.del(runtime.queues.ingest.key);
    await runtime?.close();
  });

  // ----------------------------------------------------------------------------------------------
  // Inputs

  const sign = (tenant: FuzzTenant, body: Buffer): Record<string, string> =>
    tenant.tracker === 'jira'
      ? { 'x-hub-signature': `sha256=${createHmac('sha256', tenant.secret).update(body).digest('hex')}` }
      : { 'linear-signature': createHmac('sha256', tenant.secret).update(body).digest('hex') };

  /** Linear refuses a webhookTimestamp more than 60 s away: most Linear inputs get a fresh one. */
  const freshen = (tracker: TrackerId, json: unknown): unknown => {
    if (tracker !== 'linear' || typeof json !== 'object' || json === null || Array.isArray(json) || rng.chance(0.1)) return json;
    return { ...json, webhookTimestamp: Date.now() + rng.int(20_000) - 10_000 };
  };

  const recentIds: string[] = [];
  const deliveryId = (): string | null => {
    const id = pickDeliveryId();
    if (id !== null) {
      if (recentIds.length >= 100) recentIds.splice(rng.int(100), 1);
      recentIds.push(id);
    }
    return id;
  };
  const pickDeliveryId = (): string | null => {
    const roll = rng.next();
    if (roll < 0.02 && recentIds.length > 0) {
      // A different delivery whose id differs from an earlier one only in punctuation, or after a long common prefix.
      const earlier = rng.pick(recentIds);
      return rng.chance(0.5) ? earlier.replace(/[-:/ .]/, (ch) => rng.pick([':', '/', ' ', '_', '+', '*'].filter((c) => c !== ch))) || `${earlier}+` : `${earlier.padEnd(210, '0')}${++deliverySeq}`;
    }
    if (roll < 0.8) return `fz-${SEED}-${++deliverySeq}`;
    if (roll < 0.87) return null;
    if (roll < 0.95) return `${rng.pick(['fz:', 'fz/', 'fz ', 'fz.', 'FZ_', 'fz%2F', 'fz\\'])}${SEED}-${++deliverySeq}${rng.pick(['', ':', '/', ' x', '..'])}`;
    return `${rng.pick(ODD_STRINGS).slice(0, 8000)}${rng.chance(0.5) ? `-${++deliverySeq}` : ''}`;
  };

  const jsonBody = (value: unknown): Buffer => {
    const text = JSON.stringify(value) ?? 'null';
    if (rng.chance(0.1)) return Buffer.from(JSON.stringify(value, null, rng.pick([1, 2, '\t'])) ?? 'null');
    return Buffer.from(text);
  };

  function nextCase(channel: 'http' | 'direct'): Case {
    const tenant = rng.pick(TENANTS);
    const own = fixtures.filter((f) => f.tracker === tenant.tracker);
    const fixture = rng.chance(0.9) ? rng.pick(own) : rng.pick(fixtures);
    let category: string;
    let body: Buffer;
    let sourceHeaders: Record<string, string> = {};
    const roll = rng.next();
    if (roll < 0.18) {
      category = 'fixture-bytes';
      const source = jsonBody(freshen(tenant.tracker, fixture.json));
      body = source;
      for (let i = rng.int(3) + 1; i > 0; i--) body = mutateBytes(rng, body, rng.pick(fixtures).body);
    } else if (roll < 0.43) {
      category = 'fixture-json';
      body = jsonBody(freshen(tenant.tracker, mutateJson(rng, fixture.json, rng.int(3) + 1)));
    } else if (roll < 0.51) {
      category = 'random-json';
      body = jsonBody(rng.chance(0.5) ? oddValue(rng) : freshen(tenant.tracker, { webhookEvent: rng.pick(ODD_STRINGS), type: rng.pick(ODD_STRINGS), action: rng.pick(ODD_STRINGS), data: oddValue(rng), issue: oddValue(rng), user: oddValue(rng), actor: oddValue(rng) }));
    } else if (roll < 0.55) {
      category = 'wrong-type';
      body = Buffer.from(rng.pick(['null', 'true', '0', '-1e400', '"text"', '[]', '[{}]', '{}', '""', '1e999', '"\\ud800"', '\ufeff{}', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}']));
    } else if (roll < 0.62) {
      category = 'bad-utf8';
      body = withBadUtf8(rng, jsonBody(freshen(tenant.tracker, fixture.json)));
    } else if (roll < 0.74) {
      category = 'valid';
      body = jsonBody(freshen(tenant.tracker, fixture.json));
    } else if (roll < 0.77 && recentDeliveries.length > 0) {
      category = 'redelivery';
      const earlier = rng.pick(recentDeliveries);
      return {
        category,
        tracker: earlier.tenant.tracker,
        tenant: earlier.tenant.id,
        method: 'POST',
        path: `/webhooks/${earlier.tenant.tracker}/${earlier.tenant.id}`,
        headers: earlier.headers,
        body: earlier.body,
        webhookRoute: true,
        oversize: false,
      };
    } else if (roll < 0.84) {
      category = 'headers';
      body = jsonBody(freshen(tenant.tracker, fixture.json));
      sourceHeaders = { 'content-type': rng.pick(ODD_CONTENT_TYPES) };
      if (rng.chance(0.3)) sourceHeaders['content-encoding'] = rng.pick(['identity', 'gzip', 'deflate', 'x-unknown', 'gzip, gzip', '']);
      if (rng.chance(0.3)) sourceHeaders[rng.pick(['x-forwarded-for', 'x-hub-signature-256', 'linear-event', 'user-agent', 'accept', 'x-atlassian-webhook-retry', 'expect', 'connection'])] = rng.pick(ODD_STRINGS).slice(0, 500);
    } else if (roll < (channel === 'http' ? 0.86 : 0.848)) {
      category = 'deep';
      body = Buffer.from(deepJsonText(rng, rng.chance(0.1) ? rng.int(100_000) + 100 : rng.int(5_000) + 100));
    } else if (roll < 0.865 && (channel === 'http' || rng.chance(0.1))) {
      category = 'huge';
      const size = rng.pick([1024 * 1024 - 200, 1024 * 1024 + 1, 2 * 1024 * 1024]);
      const pad = 'x'.repeat(Math.max(0, size - 300));
      body = jsonBody(freshen(tenant.tracker, { ...(fixture.json as object), padding: pad }));
    } else if (roll < 0.885) {
      category = 'empty';
      body = Buffer.from(rng.pick(['', ' ', '\n', '\u0000']));
    } else if (roll < 0.93) {
      category = 'path';
      body = jsonBody(freshen(tenant.tracker, fixture.json));
    } else if (roll < 0.95) {
      category = 'method';
      body = jsonBody(freshen(tenant.tracker, fixture.json));
    } else {
      category = 'raw-random';
      body = rng.bytes(rng.int(300));
    }

    // Signature: mostly right (so parsing is reached), else another tenant's, stale, missing or garbage.
    const headers: Record<string, string> = {};
    const s = rng.next();
    if (s < 0.6) Object.assign(headers, sign(tenant, body));
    else if (s < 0.7) Object.assign(headers, sign(rng.pick(TENANTS), body));
    else if (s < 0.8) Object.assign(headers, Object.fromEntries(Object.entries(fixture.headers).filter(([k]) => k.endsWith('signature'))));
    else if (s < 0.9) headers[rng.pick(['x-hub-signature', 'linear-signature'])] = rng.pick(['', 'sha256=', 'sha1=abc', 'SHA256=' + 'A'.repeat(64), 'sha256=' + 'g'.repeat(64), '=' + 'a'.repeat(64), 'sha256==' + 'a'.repeat(64), 'a'.repeat(64), ' sha256 = ' + 'a'.repeat(64) + ' ', 'x'.repeat(4000)]);
    if (rng.chance(0.9)) headers['content-type'] = 'application/json; charset=utf-8';
    const id = deliveryId();
    if (id !== null) headers[tenant.tracker === 'jira' ? 'x-atlassian-webhook-identifier' : 'linear-delivery'] = id;
    Object.assign(headers, sourceHeaders);
    if (category === 'headers' && headers['content-encoding'] === 'gzip' && rng.chance(0.5)) {
      // A well-formed gzip body, signed over what it inflates to.
      body = gzipSync(body);
    }

    let path = `/webhooks/${tenant.tracker}/${tenant.id}`;
    let method = 'POST';
    let webhookRoute = true;
    if (category === 'path') {
      const other = TENANTS.filter((t) => t.tracker !== tenant.tracker);
      path = rng.pick([
        `/webhooks/${tenant.tracker}/${rng.pick(other).id}`, // a tenant of the other tracker
        `/webhooks/${tenant.tracker}/nobody`,
        `/webhooks/${tenant.tracker.toUpperCase()}/${tenant.id}`,
        `/webhooks/github/${tenant.id}`,
        `/webhooks/${tenant.tracker}/${tenant.id}/`,
        `/webhooks/${tenant.tracker}/${tenant.id}/extra`,
        `/webhooks/${tenant.tracker}//${tenant.id}`,
        `/webhooks//${tenant.tracker}/${tenant.id}`,
        `/webhooks/${tenant.tracker}`,
        '/webhooks',
        `/webhooks/${tenant.tracker}/${percentEncode(rng.pick(ODD_STRINGS).slice(0, 300))}`,
        `/webhooks/${tenant.tracker}/%E0%A4%A`,
        `/webhooks/${tenant.tracker}/%`,
        `/webhooks/${tenant.tracker}/..%2F${tenant.id}`,
        `/webhooks/${tenant.tracker}/${tenant.id}?x=${percentEncode(rng.pick(ODD_STRINGS).slice(0, 200))}`,
        `/webhooks/${tenant.tracker}/${tenant.id}%00`,
        `/webhooks/${tenant.tracker}/${tenant.id}#frag`,
        `/webhooks/${tenant.tracker}/${'a'.repeat(5000)}`,
        '/',
        '/healthz/x',
        '/api/v1/tenants/acme/pools',
      ]);
      // Express routes case-insensitively, without a trailing slash, query or fragment.
      webhookRoute = new RegExp(`^/webhooks/${tenant.tracker}/${tenant.id}/?([?#].*)?$`, 'i').test(path);
    } else if (category === 'method') {
      method = rng.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND']);
      webhookRoute = false;
    }
    const oversize = body.length > 1024 * 1024;
    return { category, tracker: tenant.tracker, tenant: tenant.id, method, path, headers, body, webhookRoute, oversize };
  }

  // ----------------------------------------------------------------------------------------------
  // What every answer must satisfy

  const counts = {
    http: 0,
    direct: 0,
    parserCalls: 0,
    rawSocket: 0,
    acceptedEvents: 0,
    byStatus: {} as Record<string, number>,
    byOutcome: {} as Record<string, number>,
    byCategory: {} as Record<string, number>,
    oversizeResets: 0,
  };
  const failures: string[] = [];
  const failureKinds: Record<string, number> = {};
  /** Every failure counted by kind; the first three of each kind kept in full. */
  const fail = (what: string) => {
    const kind = what.replace(/ for .*$/s, '').replace(/\(.*\)/s, '').slice(0, 80);
    failureKinds[kind] = (failureKinds[kind] ?? 0) + 1;
    if (failureKinds[kind] <= 3) failures.push(what);
  };
  const describeCase = (c: Case) => `${c.category} ${c.method} ${c.path.slice(0, 120)} body[${c.body?.length ?? 0}]=${(c.body ?? Buffer.alloc(0)).subarray(0, 160).toString('latin1')} headers=${JSON.stringify(c.headers).slice(0, 300)}`;

  const remember = (c: Case) => {
    const tenant = TENANTS.find((t) => t.id === c.tenant)!;
    if (recentDeliveries.length >= 200) recentDeliveries.splice(rng.int(200), 1);
    recentDeliveries.push({ tenant, body: c.body!, headers: c.headers });
  };

  function checkHttp(c: Case, answer: HttpAnswer | Error): void {
    counts.http++;
    counts.byCategory[c.category] = (counts.byCategory[c.category] ?? 0) + 1;
    if (answer instanceof Error) {
      if (c.oversize && /ECONNRESET|EPIPE|socket hang up/.test(answer.message)) {
        counts.oversizeResets++;
        return;
      }
      fail(`client error ${answer.message} for ${describeCase(c)}`);
      return;
    }
    counts.byStatus[answer.status] = (counts.byStatus[answer.status] ?? 0) + 1;
    const allowed = c.webhookRoute ? WEBHOOK_STATUSES[c.tracker] : OTHER_STATUSES;
    const options = c.method === 'OPTIONS' && answer.status === 200;
    if (answer.status >= 500 || (!allowed.has(answer.status) && !options)) {
      fail(`status ${answer.status} (${answer.body.subarray(0, 200).toString('utf8')}) for ${describeCase(c)}`);
      return;
    }
    if (options) return;
    if (c.webhookRoute && c.tracker === 'linear' && answer.status >= 200 && answer.status < 300 && answer.status !== 200) fail(`Linear success must be exactly 200, got ${answer.status}`);
    if (answer.status === 200 || answer.status === 202) {
      let parsed: { status?: string; events?: number };
      try {
        parsed = JSON.parse(answer.body.toString('utf8'));
      } catch {
        fail(`2xx without a JSON body for ${describeCase(c)}`);
        return;
      }
      if (parsed.status === 'accepted') {
        if (typeof parsed.events !== 'number' || parsed.events < 1) fail(`accepted without an event count: ${answer.body.toString('utf8')}`);
        counts.acceptedEvents += parsed.events ?? 0;
        remember(c);
      }
    }
  }

  async function direct(c: Case): Promise<void> {
    counts.direct++;
    const raw: RawWebhook = { headers: Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k.toLowerCase(), v])), body: c.body ?? Buffer.alloc(0) };
    // The use-case, with a fuzzed tenant id now and then.
    const tenantId = rng.chance(0.05) ? rng.pick([...ODD_STRINGS, 'acme', 'widgets']) : c.tenant;
    let outcome: ReceiveOutcome;
    try {
      outcome = await receiveWebhook(runtime, { tracker: c.tracker, tenantId, raw });
    } catch (err) {
      fail(`receiveWebhook threw ${(err as Error).stack ?? String(err)} for ${describeCase(c)}`);
      return;
    }
    counts.byOutcome[outcome.kind] = (counts.byOutcome[outcome.kind] ?? 0) + 1;
    if (!OUTCOMES.has(outcome.kind)) fail(`outcome ${JSON.stringify(outcome)} for ${describeCase(c)}`);
    if (outcome.kind === 'accepted') {
      counts.acceptedEvents += outcome.events;
      remember(c);
    }
    // The plugins alone, signature or not: verify never throws, parseWebhook never throws and
    // yields only events the queue's catalog accepts.
    let json: unknown = undefined;
    try {
      json = JSON.parse(raw.body.toString('utf8'));
    } catch {
      json = oddValue(rng);
    }
    // The delivery's own tracker's plugin, and now and then the other one (another vendor's JSON).
    for (const plugin of rng.chance(0.25) ? [jiraPlugin, linearPlugin] : [PLUGINS[c.tracker]]) {
      counts.parserCalls++;
      try {
        const verified = plugin.verify(raw, [JIRA_SECRET, LINEAR_SECRET], Date.now());
        if (typeof verified.ok !== 'boolean') fail(`${plugin.id}.verify answered ${JSON.stringify(verified)}`);
        const parsed = plugin.parseWebhook(raw, json);
        if (parsed.ok) {
          for (const event of parsed.webhook.events) {
            const job = JOBS['tracker.event.apply'].schema.safeParse({ tenant: 'acme', deliveryId: 'd', receivedAt: 1, event });
            if (!job.success) fail(`${plugin.id}.parseWebhook made an event the catalog refuses: ${JSON.stringify(event).slice(0, 300)} (${job.error.issues[0]?.message})`);
          }
        } else if (typeof parsed.reason !== 'string') fail(`${plugin.id}.parseWebhook failed without a reason`);
      } catch (err) {
        fail(`${plugin.id} threw ${(err as Error).stack ?? String(err)} for ${describeCase(c)}`);
      }
    }
  }

  const RAW_REQUESTS: readonly ((rng: FuzzRandom) => Buffer)[] = [
    (r) => r.bytes(r.int(200) + 1),
    () => Buffer.from('POST /webhooks/jira/acme HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'),
    () => Buffer.from('POST /webhooks/jira/acme HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n'),
    () => Buffer.from('POST /webhooks/jira/acme HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'),
    () => Buffer.from('POST /webhooks/linear/widgets HTTP/1.1\r\nHost: x\r\nX-Bad\u0000Header: 1\r\n\r\n'),
    (r) => Buffer.concat([Buffer.from('POST /webhooks/jira/acme HTTP/1.1\r\nHost: x\r\nX-Hub-Signature: '), r.bytes(40), Buffer.from('\r\nContent-Length: 2\r\n\r\n{}')]),
    () => Buffer.from(`POST /webhooks/jira/acme HTTP/1.1\r\nHost: x\r\n${'X-A: b\r\n'.repeat(3000)}\r\n`),
    () => Buffer.from(`GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
    () => Buffer.from('POST /webhooks/jira/acme HTTP/9.9\r\nHost: x\r\n\r\n'),
    () => Buffer.from('POST /webhooks/jira/acme\r\n\r\n'),
    () => Buffer.from('POST /webhooks/jira/acme HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"short":'),
    () => Buffer.from('POST /webhooks/jira/acme HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'),
    () => Buffer.from('\r\n\r\n\r\n'),
  ];

  it('survives over 100,000 generated and mutated deliveries with documented answers only, queues nothing invalid, keeps memory flat', async () => {
    const started = Date.now();
    // Warm-up (JIT, pools, connections) before the first memory reading.
    const warmup = 2_000;
    for (let i = 0; i < warmup; i++) await direct(nextCase('direct'));
    const before = memoryAfterGc();

    // Half of each channel, then the other half, so memory can be compared between halves.
    const halves: Array<{ heapMb: number; rssMb: number }> = [];
    const ms = { http: 0, direct: 0 };
    for (let half = 0; half < 2; half++) {
      let t = Date.now();
      await driveHttp(base, HTTP_CASES / 2, CONCURRENCY, () => nextCase('http'), (c, answer) => checkHttp(c as Case, answer));
      ms.http += Date.now() - t;
      t = Date.now();
      for (let i = 0; i < (DIRECT_CASES - warmup) / 2; i++) await direct(nextCase('direct'));
      ms.direct += Date.now() - t;
      for (let i = 0; i < RAW_SOCKET_CASES / 2; i++) {
        counts.rawSocket++;
        const status = await rawHttp(port, rng.pick(RAW_REQUESTS)(rng));
        if (status >= 500) fail(`raw request answered ${status}`);
        if (status === -1) fail('raw request left hanging (no answer, no close)');
      }
      halves.push(memoryAfterGc());
    }

    // Still alive and healthy.
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);

    // Every delivery on the ingest stream: readable, valid events (as the worker's job takes them),
    // a configured tenant.
    const stream = runtime.queues.ingest;
    const deliveries = await stream.entries(1_000_000);
    let jobs = 0;
    let invalid = 0;
    for (const { entry, raw } of deliveries) {
      const tenant = TENANTS.find((t) => t.id === entry?.tenant);
      if (!entry || !tenant) {
        invalid++;
        fail(`invalid delivery ${raw.slice(0, 300)}`);
        continue;
      }
      for (const event of entry.events) {
        jobs++;
        if (!JOBS['tracker.event.apply'].schema.safeParse({ tenant: entry.tenant, deliveryId: entry.deliveryId, receivedAt: entry.receivedAt, event }).success) {
          invalid++;
          fail(`invalid event ${JSON.stringify(event).slice(0, 300)}`);
        }
      }
    }
    const jobCounts = { deliveries: deliveries.length };
    for (const other of [runtime.queues.events, runtime.queues.writeback, runtime.queues.reconcile, runtime.queues.deadLetters]) {
      const n = await other.count();
      if (n !== 0) fail(`${n} jobs on ${other.name}: the receiver queues no job`);
    }

    const total = counts.http + counts.direct + counts.rawSocket;
    process.stdout.write(
      `webhook fuzz (seed ${SEED}): ${total} inputs = ${counts.http} over HTTP (keep-alive, ${CONCURRENCY} in flight) + ${counts.direct} through receiveWebhook + ${counts.rawSocket} raw-socket requests; ` +
        `${counts.parserCalls} direct verify+parseWebhook calls; HTTP statuses ${JSON.stringify(counts.byStatus)}; direct outcomes ${JSON.stringify(counts.byOutcome)}; ` +
        `${counts.acceptedEvents} events acknowledged, ${jobs} events on the ingest stream (${invalid} invalid, ${JSON.stringify(jobCounts)}); ${counts.oversizeResets} oversize uploads cut off; ` +
        `heap after GC ${before.heapMb} -> ${halves[0]!.heapMb} -> ${halves[1]!.heapMb} MB, RSS ${before.rssMb} -> ${halves[0]!.rssMb} -> ${halves[1]!.rssMb} MB (gc ${before.gc}); failures: ${JSON.stringify(failureKinds)}; ${Date.now() - started} ms (HTTP ${ms.http} ms, direct ${ms.direct} ms)\n`,
    );

    expect(failures).toEqual([]);
    expect(failureKinds).toEqual({});
    expect(total).toBeGreaterThanOrEqual(100_000);
    expect(counts.http).toBeGreaterThanOrEqual(HTTP_CASES - 10);
    expect(jobs).toBe(counts.acceptedEvents);
    expect(counts.acceptedEvents).toBeGreaterThan(1000); // the accept path was exercised
    // Memory flat: the heap after a forced GC grows by less than 32 MB over the whole run, and the
    // second half does not grow it by more than the first did (plus slack for the allocator).
    expect(halves[1]!.heapMb - before.heapMb).toBeLessThan(32);
    expect(halves[1]!.heapMb - halves[0]!.heapMb).toBeLessThan(Math.max(0, halves[0]!.heapMb - before.heapMb) + 16);
    expect(halves[1]!.rssMb - halves[0]!.rssMb).toBeLessThan(Math.max(0, halves[0]!.rssMb - before.rssMb) + 96);
  }, 900_000); // ~60 s on a quiet 2-core machine; generous for a loaded CI host
});
