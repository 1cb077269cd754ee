/**
 * Tenant isolation over the full stack's HTTP (receiver, admin API, Bull Board) on a real Redis:
 *
 * - webhooks: a delivery signed with one tenant's secret (current or being rotated out) is refused
 *   on every other tenant's route, within a tracker and across trackers, and queues nothing; each
 *   tenant's own secret is accepted and its job carries that tenant; one tenant's delivery ids do
 *   not make another's deliveries duplicates;
 * - admin API: a token restricted to tenant A can neither read nor change anything of B (pools,
 *   pool listings, dead letters by list, id, replay or delete, sweep reports, sweep requests, Bull
 *   Board), cannot tell B from a tenant that does not exist, and changes nothing of B trying; a
 *   token for all tenants can do all of it. Every route of the admin API must be covered here: a
 *   route added later fails the test until it is.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Router } from 'express';
import { adminApiRouter } from '@pool-guard/admin';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema, type ConfigFile } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { DEAD_LETTER_JOB, QUEUE_NAMES } from '@pool-guard/shared/queue';
import type { SweepReport } from '@pool-guard/shared/store';
import { testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import type { TrackerId } from '@pool-guard/shared/tracker';
import { startStack, type Stack } from '../src/start-stack.js';

const SPECS = resolve(process.cwd(), '../shared/specs');

interface Tenant {
  id: string;
  tracker: TrackerId;
  secret: string;
  rotatedOut?: string;
}
const TENANTS: readonly Tenant[] = [
  { id: 'acme', tracker: 'jira', secret: 'acme-jira-secret-0001', rotatedOut: 'acme-old-jira-secret-0002' },
  { id: 'globex', tracker: 'jira', secret: 'globex-jira-secret-0003' },
  { id: 'widgets', tracker: 'linear', secret: 'widgets-linear-secret-0004', rotatedOut: 'widgets-old-linear-secret-05' },
  { id: 'gadgets', tracker: 'linear', secret: 'gadgets-linear-secret-0006' },
];
const ALL_ADMIN = 'isolation-admin-all-tenants-01';
const ALL_VIEWER = 'isolation-viewer-all-tenants-2';
const ACME_ADMIN = 'isolation-admin-acme-only-003';
const ACME_VIEWER = 'isolation-viewer-acme-only-04';
const WIDGETS_ADMIN = 'isolation-admin-widgets-only-5';

function fixture(tracker: TrackerId, name: string): { json: Record<string, unknown>; headers: Record<string, string> } {
  const dir = resolve(SPECS, tracker, 'webhooks');
  const headers = JSON.parse(readFileSync(resolve(dir, `${tracker}-headers.json`), 'utf8')).headers[name] as Record<string, string>;
  return { json: JSON.parse(readFileSync(resolve(dir, name), 'utf8')), headers };
}

function sweepReport(tenant: string): SweepReport {
  return {
    tenant,
    trigger: 'schedule',
    quarters: { from: '2026-Q3', to: '2027-Q1' },
    status: 'completed',
    startedAt: '2026-11-27T10:00:00.000Z',
    finishedAt: '2026-11-27T10:00:05.000Z',
    durationMs: 5000,
    ticketsSeen: 1,
    ticketsInRange: 1,
    ticketsRefetched: 0,
    ledger: { added: 1, updated: 0, deleted: 0, excluded: 0, movedOut: 0 },
    poolsRecomputed: 1,
    writeBacksQueued: 1,
    drift: { labels: 0, badges: 0, comments: 0 },
    errorCount: 0,
    errors: [],
  };
}

/** Every route of an express router (nested routers included), as `METHOD path`. */
function routesOf(router: Router): string[] {
  const out: string[] = [];
  for (const layer of router.stack as unknown as Array<{ route?: { path: string; methods: Record<string, boolean> }; handle: { stack?: unknown } }>) {
    if (layer.route) for (const m of Object.keys(layer.route.methods)) out.push(`${m.toUpperCase()} ${layer.route.path}`);
    else if (Array.isArray(layer.handle.stack)) out.push(...routesOf(layer.handle as unknown as Router));
  }
  return out.sort();
}

describe('tenant isolation', () => {
  let stack: Stack;
  let config: ConfigFile;
  let base: string;
  const deadLetterOf: Record<string, string> = {};
  let seq = 0;

  beforeAll(async () => {
    config = configFileSchema.parse({
      adminTokens: [
        { token: ALL_ADMIN, role: 'admin' },
        { token: ALL_VIEWER, role: 'viewer' },
        { token: ACME_ADMIN, role: 'admin', tenants: ['acme'] },
        { token: ACME_VIEWER, role: 'viewer', tenants: ['acme'] },
        { token: WIDGETS_ADMIN, role: 'admin', tenants: ['widgets'] },
      ],
      tenants: TENANTS.map((t) =>
        t.tracker === 'jira'
          ? { id: t.id, tracker: 'jira', baseUrl: 'http://127.0.0.1:9', email: 'bot@example.com', apiToken: 'x', webhookSecret: t.secret, additionalWebhookSecrets: t.rotatedOut ? [t.rotatedOut] : [] }
          : { id: t.id, tracker: 'linear', apiKey: 'lin_api_x', apiUrl: 'http://127.0.0.1:9/graphql', webhookSecret: t.secret, additionalWebhookSecrets: t.rotatedOut ? [t.rotatedOut] : [] },
      ),
      reconcile: { intervalMinutes: 0 },
      redisKeyPrefix: uniquePrefix('isolation'),
    });
    stack = await startStack({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger(), port: 0, host: '127.0.0.1', worker: false });
    base = `http://127.0.0.1:${stack.port}`;
    const { runtime } = stack;
    for (const t of TENANTS) {
      await runtime.store.setPoolSettings(t.id, 'CR/2026-Q4', { limitDays: 10, warnAtPercent: 80 });
      await runtime.sweeps.saveFinished(t.id, sweepReport(t.id));
      const job = await runtime.queues.deadLetters.add(
        DEAD_LETTER_JOB,
        { tenant: t.id, queue: QUEUE_NAMES.writeback, name: 'tracker.writeback', jobId: `orig-${t.id}`, data: { tenant: t.id, ticketId: '10001' }, failedReason: 'refused', stacktrace: [], attemptsMade: 12, failedAt: '2026-11-27T10:00:00.000Z' },
        { removeOnComplete: true, removeOnFail: false },
      );
      deadLetterOf[t.id] = String(job.id);
    }
  });
  afterAll(async () => {
    if (!stack) return;
    const { queues } = stack.runtime;
    for (const q of [queues.events, queues.writeback, queues.reconcile, queues.deadLetters]) await q.obliterate({ force: true });
    await stack.stop();
  });

  // -------------------------------------------------------------------------------- webhooks

  /** A fresh, well-formed delivery for a tenant of `tracker`, signed with `secret`. */
  function delivery(tracker: TrackerId, secret: string): { body: Buffer; headers: Record<string, string>; id: string } {
    const id = `iso-${++seq}`;
    if (tracker === 'jira') {
      const { json } = fixture('jira', 'jira-issue-updated-estimate-changed.json');
      const body = Buffer.from(JSON.stringify(json));
      return { body, id, headers: { 'content-type': 'application/json', 'x-atlassian-webhook-identifier': id, 'x-hub-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` } };
    }
    const { json } = fixture('linear', 'linear-issue-update.json');
    const body = Buffer.from(JSON.stringify({ ...json, webhookTimestamp: Date.now() }));
    return { body, id, headers: { 'content-type': 'application/json', 'linear-delivery': id, 'linear-signature': createHmac('sha256', secret).update(body).digest('hex') } };
  }
  const post = (path: string, d: { body: Buffer; headers: Record<string, string> }) => fetch(`${base}${path}`, { method: 'POST', headers: d.headers, body: d.body });
  /** Deliveries the receiver took (on the ingest stream; no worker runs here). */
  const queuedEvents = async () => (await stack.runtime.queues.ingest.entries(100_000)).map(({ entry }) => ({ data: entry! }));

  it('takes each tenant\'s deliveries signed with its own secrets, for that tenant only', async () => {
    for (const t of TENANTS) {
      for (const secret of [t.secret, ...(t.rotatedOut ? [t.rotatedOut] : [])]) {
        const d = delivery(t.tracker, secret);
        const res = await post(`/webhooks/${t.tracker}/${t.id}`, d);
        expect({ tenant: t.id, status: res.status }).toEqual({ tenant: t.id, status: t.tracker === 'jira' ? 202 : 200 });
        const job = (await queuedEvents()).find((j) => j.data.deliveryId === d.id);
        expect(job?.data.tenant).toBe(t.id);
      }
    }
  });

  it('refuses a delivery signed with another tenant\'s secret, within a tracker and across trackers, and queues nothing', async () => {
    const before = (await queuedEvents()).length;
    const tried: string[] = [];
    for (const target of TENANTS) {
      for (const signer of TENANTS.filter((t) => t.id !== target.id)) {
        for (const secret of [signer.secret, ...(signer.rotatedOut ? [signer.rotatedOut] : [])]) {
          // The body is the target's own kind of delivery; only the secret is someone else's.
          const d = delivery(target.tracker, secret);
          const res = await post(`/webhooks/${target.tracker}/${target.id}`, d);
          tried.push(`${signer.id}->${target.id}`);
          expect({ signer: signer.id, target: target.id, status: res.status }).toEqual({ signer: signer.id, target: target.id, status: 401 });
        }
        // The signer's own, correctly signed delivery sent to the target's id: refused too (401 on
        // the target's route when both use one tracker, 404 when the tenant is on the other).
        const own = delivery(signer.tracker, signer.secret);
        const res = await post(`/webhooks/${signer.tracker}/${target.id}`, own);
        expect({ signer: signer.id, target: target.id, status: res.status }).toEqual({ signer: signer.id, target: target.id, status: signer.tracker === target.tracker ? 401 : 404 });
      }
    }
    expect(tried.length).toBeGreaterThanOrEqual(12);
    expect((await queuedEvents()).length).toBe(before);
  });

  it('keeps redelivery marks per tenant: one tenant\'s delivery id never makes another tenant\'s delivery a duplicate', async () => {
    for (const [a, b] of [[TENANTS[0]!, TENANTS[1]!], [TENANTS[2]!, TENANTS[3]!], [TENANTS[0]!, TENANTS[2]!]] as const) {
      const shared = `shared-id-${++seq}`;
      const first = delivery(a.tracker, a.secret);
      const second = delivery(b.tracker, b.secret);
      const idHeader = (t: TrackerId) => (t === 'jira' ? 'x-atlassian-webhook-identifier' : 'linear-delivery');
      first.headers[idHeader(a.tracker)] = shared;
      second.headers[idHeader(b.tracker)] = shared;
      expect(await (await post(`/webhooks/${a.tracker}/${a.id}`, first)).json()).toMatchObject({ status: 'accepted' });
      expect(await (await post(`/webhooks/${b.tracker}/${b.id}`, second)).json()).toMatchObject({ status: 'accepted' });
      const jobs = (await queuedEvents()).filter((j) => j.data.deliveryId === shared).map((j) => j.data.tenant).sort();
      expect(jobs).toEqual([a.id, b.id].sort());
    }
  });

  // -------------------------------------------------------------------------------- admin API

  const call = async (method: string, path: string, token: string | null, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  };

  /** Every admin route, as the tests below exercise it for `tenant` (a dead letter of that tenant where the route takes an id). */
  const ROUTES: Record<string, { change: boolean; request: (tenant: string) => [string, string, unknown?] }> = {
    'GET /tenants/:tenant/pools': { change: false, request: (t) => ['GET', `/api/v1/tenants/${t}/pools`] },
    'GET /tenants/:tenant/pools/:scope/:quarter': { change: false, request: (t) => ['GET', `/api/v1/tenants/${t}/pools/CR/2026-Q4`] },
    'PUT /tenants/:tenant/pools/:scope/:quarter': { change: true, request: (t) => ['PUT', `/api/v1/tenants/${t}/pools/CR/2026-Q4`, { limitDays: 1 }] },
    'GET /dead-letters': { change: false, request: (t) => ['GET', `/api/v1/dead-letters?tenant=${t}`] },
    'GET /dead-letters/:id': { change: false, request: (t) => ['GET', `/api/v1/dead-letters/${deadLetterOf[t] ?? 'none'}`] },
    'POST /dead-letters/:id/replay': { change: true, request: (t) => ['POST', `/api/v1/dead-letters/${deadLetterOf[t] ?? 'none'}/replay`] },
    'DELETE /dead-letters/:id': { change: true, request: (t) => ['DELETE', `/api/v1/dead-letters/${deadLetterOf[t] ?? 'none'}`] },
    'GET /tenants/:tenant/sweeps/last': { change: false, request: (t) => ['GET', `/api/v1/tenants/${t}/sweeps/last`] },
    'POST /tenants/:tenant/sweeps': { change: true, request: (t) => ['POST', `/api/v1/tenants/${t}/sweeps`] },
  };

  it('covers every route of the admin API', () => {
    const routes = routesOf(adminApiRouter({ ...stack.runtime, adminTokens: config.adminTokens }));
    expect(routes).toEqual(Object.keys(ROUTES).sort());
  });

  /** What tenant B looks like through the all-tenants token (to show nothing changed). */
  const snapshotOf = async (tenant: string) => {
    const pool = await call('GET', `/api/v1/tenants/${tenant}/pools/CR/2026-Q4`, ALL_ADMIN);
    const dead = await call('GET', `/api/v1/dead-letters/${deadLetterOf[tenant]}`, ALL_ADMIN);
    const sweeps = await call('GET', `/api/v1/tenants/${tenant}/sweeps/last`, ALL_ADMIN);
    const reconcile = (await stack.runtime.queues.reconcile.getJobs(['waiting', 'delayed', 'prioritized'])).filter((j) => j.data.tenant === tenant).length;
    const recompute = (await stack.runtime.queues.events.getJobs(['waiting', 'delayed', 'prioritized'])).filter((j) => j.name === 'pool.recompute' && j.data.tenant === tenant).length;
    return { pool: pool.body, dead: dead.status, sweeps: sweeps.body, reconcile, recompute };
  };

  it('keeps a token restricted to one tenant out of every other tenant, on every route, changing nothing', async () => {
    for (const [token, own] of [[ACME_ADMIN, 'acme'], [ACME_VIEWER, 'acme'], [WIDGETS_ADMIN, 'widgets']] as const) {
      for (const other of TENANTS.filter((t) => t.id !== own).map((t) => t.id)) {
        const before = await snapshotOf(other);
        for (const [route, spec] of Object.entries(ROUTES)) {
          const [method, path, body] = spec.request(other);
          const res = await call(method, path, token, body);
          if (route.includes(':id')) {
            // Dead letters of other tenants do not exist for this token (a viewer is refused any change first).
            expect({ token, other, route, status: res.status }).toEqual({ token, other, route, status: spec.change && token === ACME_VIEWER ? 403 : 404 });
          } else {
            // Tenant routes, and a dead-letter listing asked for another tenant: refused.
            expect({ token, other, route, status: res.status }).toEqual({ token, other, route, status: 403 });
          }
          expect(JSON.stringify(res.body)).not.toContain(`"tenant":"${other}"`);
        }
        // The listing without ?tenant= shows only the token's own tenants.
        const list = await call('GET', '/api/v1/dead-letters', token);
        expect(list.status).toBe(200);
        expect(list.body.deadLetters.map((d: { tenant: string }) => d.tenant)).toEqual([own]);
        expect(await snapshotOf(other)).toEqual(before);
      }
      // Bull Board shows every tenant's jobs: only tokens for all tenants open it.
      expect((await call('GET', '/admin/queues', token)).status).toBe(401);
      expect((await call('GET', '/admin/queues/api/queues', token)).status).toBe(401);
    }
  });

  it('does not let a restricted token tell another tenant from one that does not exist', async () => {
    for (const route of ['GET /tenants/:tenant/pools', 'GET /tenants/:tenant/pools/:scope/:quarter', 'PUT /tenants/:tenant/pools/:scope/:quarter', 'GET /tenants/:tenant/sweeps/last', 'POST /tenants/:tenant/sweeps', 'GET /dead-letters']) {
      const answer = async (tenant: string) => {
        const [method, path, body] = ROUTES[route]!.request(tenant);
        const res = await call(method, path, ACME_ADMIN, body);
        return { status: res.status, body: JSON.stringify(res.body).replaceAll(tenant, '<tenant>') };
      };
      expect({ route, ...(await answer('no-such-tenant')) }).toEqual({ route, ...(await answer('globex')) });
    }
  });

  it('lets a token for all tenants read every tenant, and change it with the admin role only', async () => {
    for (const t of TENANTS.map((x) => x.id)) {
      for (const token of [ALL_VIEWER, ALL_ADMIN]) {
        for (const [route, spec] of Object.entries(ROUTES)) {
          if (spec.change) continue;
          const [method, path] = spec.request(t);
          const res = await call(method, path, token);
          expect({ t, token, route, status: res.status }).toEqual({ t, token, route, status: 200 });
        }
        const list = await call('GET', '/api/v1/dead-letters', token);
        expect(list.body.deadLetters.map((d: { tenant: string }) => d.tenant).sort()).toEqual(TENANTS.map((x) => x.id).filter((id) => deadLetterOf[id]).sort());
      }
      // Changes: the viewer is refused, the admin succeeds.
      for (const [route, spec] of Object.entries(ROUTES)) {
        if (!spec.change) continue;
        const [method, path, body] = spec.request(t);
        expect({ t, route, status: (await call(method, path, ALL_VIEWER, body)).status }).toEqual({ t, route, status: 403 });
      }
      expect((await call('PUT', `/api/v1/tenants/${t}/pools/CR/2026-Q4`, ALL_ADMIN, { limitDays: 7 })).status).toBe(200);
      expect((await call('POST', `/api/v1/tenants/${t}/sweeps`, ALL_ADMIN)).status).toBe(202);
      expect((await call('POST', `/api/v1/dead-letters/${deadLetterOf[t]}/replay`, ALL_ADMIN)).status).toBe(202);
      // Replayed: the dead letter is gone; deleting it now finds nothing.
      expect((await call('DELETE', `/api/v1/dead-letters/${deadLetterOf[t]}`, ALL_ADMIN)).status).toBe(404);
      delete deadLetterOf[t];
    }
    expect((await call('GET', '/admin/queues/api/queues', ALL_ADMIN)).status).toBe(200);
  });
});
