/**
 * Fuzzing the admin API (`/api/v1/...`) over real keep-alive HTTP on a real Redis: generated and
 * mutated requests to every route (pools, dead letters, sweeps) and around them, with fuzzed
 * tenants, scopes, quarters, ids, query strings, methods, tokens (missing, wrong, viewer, restricted
 * to another tenant, all tenants), bodies (valid, mutated, wrong types, deep, over 16 kB, bad UTF-8)
 * and content types.
 *
 * Checked: no crash, no 5xx; every answer one of the documented statuses; no token or a wrong one
 * is always 401; a viewer never changes anything; a token restricted to other tenants never gets a
 * 2xx for a tenant it is not given; every job the API queued (recomputes, sweeps, replays) validates
 * against its catalog schema; heap after a forced GC stays flat. Counts are printed.
 * POOLGUARD_FUZZ_SEED=<n> replays a run; the seed is printed.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema, type ConfigFile } from '@pool-guard/shared/config';
import { boundPort, closeServer, listen } from '@pool-guard/shared/http';
import { silentLogger } from '@pool-guard/shared/logging';
import { DEAD_LETTER_JOB, JOBS, QUEUE_NAMES, type JobName } from '@pool-guard/shared/queue';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import type { SweepReport } from '@pool-guard/shared/store';
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
  testRedisUrl,
  uniquePrefix,
  withBadUtf8,
  type HttpAnswer,
  type HttpCase,
} from '@pool-guard/shared/testing';
import { createAdminApp } from '../src/app.js';

const SCALE = Number(process.env.POOLGUARD_FUZZ_SCALE ?? 1);
const HTTP_CASES = Math.round(12_000 * SCALE);
const CONCURRENCY = 16;
const SEED = Number(process.env.POOLGUARD_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

const TENANT_IDS = ['acme', 'widgets', 'globex'] as const;
interface Token {
  token: string;
  role: 'admin' | 'viewer';
  tenants?: string[];
}
const TOKENS: readonly Token[] = [
  { token: 'fuzz-admin-all-tenants-000001', role: 'admin' },
  { token: 'fuzz-viewer-all-tenants-00002', role: 'viewer' },
  { token: 'fuzz-admin-acme-only-0000003', role: 'admin', tenants: ['acme'] },
  { token: 'fuzz-viewer-widgets-only-004', role: 'viewer', tenants: ['widgets'] },
  { token: 'fuzz-admin-nobody-00000005', role: 'admin', tenants: [] },
];

/** The admin API's documented statuses (README, "Admin API", and requests no client sends). */
const DOCUMENTED = new Set([200, 202, 204, 400, 401, 403, 404, 409, 413, 415]);

function sweepReport(tenant: string): SweepReport {
  return {
    tenant,
    trigger: 'schedule',
    quarters: { from: '2026-Q3', to: '2027-Q1' },
    status: 'completed',
    startedAt: '2026-11-27T10:00:00.000Z',
    finishedAt: '2026-11-27T10:00:05.000Z',
    durationMs: 5000,
    ticketsSeen: 3,
    ticketsInRange: 3,
    ticketsRefetched: 0,
    ledger: { added: 1, updated: 0, deleted: 0, excluded: 0, movedOut: 0 },
    poolsRecomputed: 1,
    writeBacksQueued: 1,
    drift: { labels: 0, badges: 0, comments: 0 },
    errorCount: 0,
    errors: [],
  };
}

describe('admin API fuzzing', () => {
  let runtime: Runtime;
  let config: ConfigFile;
  let server: Server;
  let base: string;
  const rng = new FuzzRandom(SEED);
  const deadLetterIds: string[] = [];
  const deadLetterTenant = new Map<string, string | null>();

  beforeAll(async () => {
    config = configFileSchema.parse({
      adminTokens: TOKENS,
      tenants: [
        { id: 'acme', tracker: 'jira', baseUrl: 'http://127.0.0.1:9', email: 'b@example.com', apiToken: 'x', webhookSecret: 's1' },
        { id: 'widgets', tracker: 'linear', apiKey: 'lin_api_x', apiUrl: 'http://127.0.0.1:9/graphql', webhookSecret: 's2' },
        { id: 'globex', tracker: 'jira', baseUrl: 'http://127.0.0.1:9', email: 'b@example.com', apiToken: 'x', webhookSecret: 's3' },
      ],
      redisKeyPrefix: uniquePrefix('admin-fuzz'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    // Something to read: pools, sweep reports, dead letters of each tenant (and one of none, one of
    // a job name this version no longer has).
    for (const tenant of TENANT_IDS) {
      await runtime.store.setPoolSettings(tenant, 'CR/2026-Q4', { limitDays: 10, warnAtPercent: 80 });
      await runtime.sweeps.saveFinished(tenant, sweepReport(tenant));
    }
    const seeds: Array<{ tenant: string | null; name: string; queue: string; data: unknown }> = [];
    for (let i = 0; i < 40; i++) {
      const tenant = TENANT_IDS[i % 3]!;
      seeds.push({ tenant, name: 'tracker.writeback', queue: QUEUE_NAMES.writeback, data: { tenant, ticketId: `1000${i}` } });
    }
    seeds.push({ tenant: null, name: 'tracker.writeback', queue: QUEUE_NAMES.writeback, data: { ticketId: 'no-tenant' } });
    seeds.push({ tenant: 'acme', name: 'retired.job', queue: QUEUE_NAMES.events, data: { tenant: 'acme' } });
    for (const s of seeds) {
      const job = await runtime.queues.deadLetters.add(
        DEAD_LETTER_JOB,
        { tenant: s.tenant, queue: s.queue, name: s.name, jobId: `orig-${deadLetterIds.length}`, data: s.data, failedReason: 'fuzz seed', stacktrace: [], attemptsMade: 12, failedAt: '2026-11-27T10:00:00.000Z' },
        { removeOnComplete: true, removeOnFail: false },
      );
      deadLetterIds.push(String(job.id));
      deadLetterTenant.set(String(job.id), s.tenant);
    }
    server = await listen(createAdminApp({ ...runtime, adminTokens: config.adminTokens }, [{ name: 'redis', check: () => runtime.redisHealthy() }]), 0, '127.0.0.1');
    base = `http://127.0.0.1:${boundPort(server)}`;
  });
  afterAll(async () => {
    if (server) await closeServer(server);
    for (const q of [runtime?.queues.events, runtime?.queues.writeback, runtime?.queues.reconcile, runtime?.queues.deadLetters]) await q?.obliterate({ force: true });
    await runtime?.close();
  });

  // ----------------------------------------------------------------------------------------------

  const odd = () => percentEncode(rng.pick(ODD_STRINGS).slice(0, 300));
  const tenantSegment = () => (rng.chance(0.8) ? rng.pick([...TENANT_IDS, 'nobody']) : rng.pick([odd(), 'ACME', 'acme%20', '%61cme', 'acme.', '..', '%2e%2e', '%']));
  const scopeSegment = () => (rng.chance(0.7) ? rng.pick(['CR', 'OPS', 'ENG', 'cr', 'A-1', 'a_b']) : rng.pick([odd(), 'C'.repeat(64), 'C'.repeat(65), '-CR', '%2FCR', '']));
  const quarterSegment = () => (rng.chance(0.7) ? rng.pick(['2026-Q4', '2027-Q1', '2026-Q3']) : rng.pick([odd(), '2026-Q5', '2026-Q0', '2026-q4', '26-Q4', '99999-Q1', '2026-Q4x', '0000-Q1']));
  const idSegment = () => (rng.chance(0.6) && deadLetterIds.length > 0 ? rng.pick(deadLetterIds) : rng.pick([odd(), '0', '-1', '999999', '1e3', 'repeat:x:1', '__proto__']));
  const query = () => {
    if (rng.chance(0.6)) return '';
    const parts: string[] = [];
    for (let i = rng.int(3) + 1; i > 0; i--) {
      const key = rng.pick(['quarter', 'tenant', 'limit', 'tenant[]', 'quarter[]', 'limit[a]', '__proto__[x]', 'x']);
      const value = rng.chance(0.5) ? rng.pick(['2026-Q4', 'acme', 'widgets', 'globex', '10', '0', '-5', '1001', 'NaN', '1e9']) : odd();
      parts.push(`${key}=${value}`);
    }
    return `?${parts.join('&')}`;
  };

  /** A route of the API, now and then spelled in capitals (express matches paths case-insensitively). */
  function route(): { method: string; path: string; tenant: string | null; change: boolean; known: boolean } {
    const r = pickRoute();
    if (r.known && rng.chance(0.05)) r.path = r.path.replace(/^\/api\/v1\/(tenants|dead-letters)/, (m) => m.toUpperCase()).replace(/\/(pools|sweeps|last|replay)\b/g, (m) => m.toUpperCase());
    return r;
  }

  function pickRoute(): { method: string; path: string; tenant: string | null; change: boolean; known: boolean } {
    const t = tenantSegment();
    const r = rng.int(11);
    switch (r) {
      case 0:
      case 1:
        return { method: 'GET', path: `/api/v1/tenants/${t}/pools/${scopeSegment()}/${quarterSegment()}${query()}`, tenant: t, change: false, known: true };
      case 2:
      case 3:
        return { method: 'PUT', path: `/api/v1/tenants/${t}/pools/${scopeSegment()}/${quarterSegment()}`, tenant: t, change: true, known: true };
      case 4:
        return { method: 'GET', path: `/api/v1/tenants/${t}/pools${query()}`, tenant: t, change: false, known: true };
      case 5:
        return { method: 'GET', path: `/api/v1/dead-letters${query()}`, tenant: null, change: false, known: true };
      case 6: {
        const method = rng.pick(['GET', 'DELETE']);
        return { method, path: `/api/v1/dead-letters/${idSegment()}`, tenant: null, change: method === 'DELETE', known: true };
      }
      case 7:
        return { method: 'POST', path: `/api/v1/dead-letters/${idSegment()}/replay`, tenant: null, change: true, known: true };
      case 8:
        return { method: 'GET', path: `/api/v1/tenants/${t}/sweeps/last`, tenant: t, change: false, known: true };
      case 9:
        return { method: 'POST', path: `/api/v1/tenants/${t}/sweeps`, tenant: t, change: true, known: true };
      default: {
        // Around the routes: other methods, paths and prefixes.
        const method = rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE']);
        const path = rng.pick([
          `/api/v1/tenants/${t}`,
          `/api/v1/tenants/${t}/pools/${scopeSegment()}`,
          `/api/v1/tenants/${t}/pools/${scopeSegment()}/${quarterSegment()}/extra`,
          `/api/v1/tenants/${t}/sweeps/${odd()}`,
          `/api/v1/tenants`,
          '/api/v1',
          '/api/v2/tenants/acme/pools',
          `/api/v1/dead-letters/${idSegment()}/${odd()}`,
          '/api/v1//tenants//acme//pools',
          `/api/v1/tenants/${t}/pools/${scopeSegment()}/${quarterSegment()}/`,
          '/healthz',
        ]);
        return { method, path, tenant: t, change: method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS', known: false };
      }
    }
  }

  const VALID_BODIES = ['{"limitDays": 10, "warnAtPercent": 80}', '{"limitDays": 0}', '{"limitDays": 12.5, "warnAtPercent": 100}', '{"limitDays": 100000, "warnAtPercent": 1}'];

  function body(): Buffer | undefined {
    const roll = rng.next();
    if (roll < 0.25) return Buffer.from(rng.pick(VALID_BODIES));
    if (roll < 0.5) return Buffer.from(JSON.stringify(mutateJson(rng, JSON.parse(rng.pick(VALID_BODIES)), rng.int(2) + 1)) ?? 'null');
    if (roll < 0.6) return Buffer.from(JSON.stringify(oddValue(rng)) ?? 'null');
    if (roll < 0.7) return mutateBytes(rng, Buffer.from(rng.pick(VALID_BODIES)));
    if (roll < 0.75) return withBadUtf8(rng, Buffer.from(rng.pick(VALID_BODIES)));
    if (roll < 0.78) return Buffer.from(deepJsonText(rng, rng.int(5_000) + 10));
    if (roll < 0.8) return Buffer.from(`{"limitDays": 1, "pad": "${'x'.repeat(rng.pick([16 * 1024 - 40, 17 * 1024, 200 * 1024]))}"}`);
    if (roll < 0.85) return Buffer.from(rng.pick(['', 'null', '[]', '"10"', '10', 'true', '{"limitDays": "10"}', '{"limitDays": null}', '{"limitDays": -1}', '{"limitDays": 1e400}', '{"__proto__": {"limitDays": 1}}', '{"limitDays": 1, "limitDays": "x"}']));
    return undefined;
  }

  function authorization(): { header: string | null; token: Token | null } {
    const roll = rng.next();
    if (roll < 0.65) {
      const token = rng.pick(TOKENS);
      return { header: rng.pick([`Bearer ${token.token}`, `bearer ${token.token}`, `Bearer    ${token.token}  `]), token };
    }
    if (roll < 0.72) return { header: null, token: null };
    const token = rng.pick(TOKENS);
    return {
      header: rng.pick([
        `Bearer ${token.token}x`,
        `Bearer ${token.token.slice(0, -1)}`,
        `Bearer ${token.token} ${token.token}`,
        `Basic ${Buffer.from(`admin:${token.token}`).toString('base64')}`,
        `Token ${token.token}`,
        'Bearer',
        'Bearer ',
        `Bearer ${rng.pick(ODD_STRINGS).slice(0, 200)}`,
        token.token,
        `Bearer ${'a'.repeat(8000)}`,
      ]),
      token: null,
    };
  }

  interface AdminCase extends HttpCase {
    tenant: string | null;
    change: boolean;
    known: boolean;
    token: Token | null;
  }

  function nextCase(): AdminCase {
    const r = route();
    const auth = authorization();
    const headers: Record<string, string> = {};
    if (auth.header !== null) headers.authorization = auth.header;
    const b = r.method === 'PUT' || r.method === 'POST' || rng.chance(0.1) ? body() : undefined;
    if (b !== undefined) headers['content-type'] = rng.chance(0.8) ? 'application/json' : rng.pick(ODD_CONTENT_TYPES);
    if (rng.chance(0.03)) headers['content-encoding'] = rng.pick(['gzip', 'x-unknown', 'identity']);
    return { method: r.method, path: r.path, headers, ...(b !== undefined ? { body: b } : {}), tenant: r.tenant, change: r.change, known: r.known, token: auth.token };
  }

  // ----------------------------------------------------------------------------------------------

  const counts = { http: 0, byStatus: {} as Record<string, number>, byRoute: {} as Record<string, number>, authorized2xx: 0, changes2xx: 0 };
  const failureKinds: Record<string, number> = {};
  const failures: string[] = [];
  const fail = (kind: string, detail: string) => {
    failureKinds[kind] = (failureKinds[kind] ?? 0) + 1;
    if (failureKinds[kind] <= 3) failures.push(`${kind}: ${detail}`);
  };
  const show = (c: AdminCase, a: HttpAnswer) =>
    `${c.method} ${c.path.slice(0, 160)} auth=${(c.headers.authorization ?? '-').slice(0, 60)} body=${(c.body ?? Buffer.alloc(0)).subarray(0, 120).toString('latin1')} -> ${a.status} ${a.body.subarray(0, 200).toString('utf8')}`;

  function check(c: AdminCase, answer: HttpAnswer | Error): void {
    counts.http++;
    if (answer instanceof Error) {
      if (c.body && c.body.length > 16 * 1024 && /ECONNRESET|EPIPE|socket hang up/.test(answer.message)) return;
      fail('client error', `${answer.message} for ${c.method} ${c.path.slice(0, 160)}`);
      return;
    }
    counts.byStatus[answer.status] = (counts.byStatus[answer.status] ?? 0) + 1;
    const routeKey = `${c.method} ${c.known ? c.path.toLowerCase().replace(/\?.*$/, '').replace(/\/api\/v1\/tenants\/[^/]*/, '/tenants/T').replace(/pools\/[^/]*\/[^/]*$/, 'pools/S/Q').replace(/dead-letters\/[^/]+/, 'dead-letters/ID') : '(around the routes)'} ${answer.status}`;
    counts.byRoute[routeKey] = (counts.byRoute[routeKey] ?? 0) + 1;
    if (answer.status >= 500) return fail(`status ${answer.status}`, show(c, answer));
    // OPTIONS on an existing route: express answers 200 with the allowed methods (README).
    const allowed = c.method === 'OPTIONS' ? answer.status === 200 || DOCUMENTED.has(answer.status) : DOCUMENTED.has(answer.status);
    if (!allowed) fail(`undocumented status ${answer.status}`, show(c, answer));
    // Without a valid token nothing but 401 (or a path that is not a route at all: 400, 404).
    if (!c.token && c.known && ![400, 401, 404].includes(answer.status)) fail(`no valid token answered ${answer.status}`, show(c, answer));
    const ok = answer.status >= 200 && answer.status < 300;
    if (!ok || c.method === 'OPTIONS' || !c.known) return;
    // A 2xx on a route of the API: authentication and authorization must have held.
    counts.authorized2xx++;
    if (!c.token) return fail('2xx without a valid token', show(c, answer));
    if (c.change) {
      counts.changes2xx++;
      if (c.token.role !== 'admin') fail('a viewer changed something', show(c, answer));
    }
    const restricted = c.token.tenants;
    if (restricted) {
      if (/^\/api\/v1\/dead-letters\/?(\?|$)/i.test(c.path)) {
        // Dead-letter listings are filtered: every entry must be one of the token's tenants.
        const entries = (JSON.parse(answer.body.toString('utf8')) as { deadLetters: Array<{ tenant: string | null }> }).deadLetters;
        if (entries.some((e) => e.tenant === null || !restricted.includes(e.tenant))) fail("a restricted token listed another tenant's dead letters", show(c, answer));
      } else {
        const tenant = c.tenant ?? deadLetterTenantOf(c.path);
        if (tenant === undefined || tenant === null || !restricted.includes(decodeSegment(tenant))) fail('a restricted token reached another tenant', show(c, answer));
      }
    }
    if (c.method !== 'HEAD' && answer.status !== 204) {
      try {
        JSON.parse(answer.body.toString('utf8'));
      } catch {
        fail('2xx body is not JSON', show(c, answer));
      }
    }
  }

  const deadLetterTenantOf = (path: string): string | null | undefined => {
    const m = /^\/api\/v1\/dead-letters\/([^/?]+)/i.exec(path);
    return m ? deadLetterTenant.get(decodeSegment(m[1]!)) : undefined;
  };
  const decodeSegment = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };

  it('answers thousands of generated and mutated admin requests with documented statuses only, keeps tenants apart, queues nothing invalid, keeps memory flat', async () => {
    const started = Date.now();
    await driveHttp(base, 500, CONCURRENCY, nextCase, (c, a) => check(c as AdminCase, a)); // warm-up
    const before = memoryAfterGc();
    const halves: Array<{ heapMb: number; rssMb: number }> = [];
    for (let half = 0; half < 2; half++) {
      await driveHttp(base, (HTTP_CASES - 500) / 2, CONCURRENCY, nextCase, (c, a) => check(c as AdminCase, a));
      halves.push(memoryAfterGc());
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    // Everything the API queued: recomputes, sweeps, replayed dead letters.
    let jobs = 0;
    for (const queue of [runtime.queues.events, runtime.queues.writeback, runtime.queues.reconcile]) {
      const all = await queue.getJobs(['waiting', 'delayed', 'prioritized', 'paused'], 0, -1, true);
      for (const job of all) {
        if (!job) continue;
        jobs++;
        const spec = JOBS[job.name as JobName];
        const valid = spec && QUEUE_NAMES[spec.queue] === queue.name && spec.schema.safeParse(job.data).success;
        const tenant = (job.data as { tenant?: unknown }).tenant;
        if (!valid || !TENANT_IDS.includes(tenant as (typeof TENANT_IDS)[number])) fail('invalid job queued', `${queue.name} ${job.name} ${JSON.stringify(job.data).slice(0, 200)}`);
      }
    }

    process.stdout.write(
      `admin fuzz (seed ${SEED}): ${counts.http} requests over HTTP (keep-alive, ${CONCURRENCY} in flight); statuses ${JSON.stringify(counts.byStatus)}; ${Object.keys(counts.byRoute).length} distinct route × status pairs; ` +
        `${counts.authorized2xx} 2xx on API routes (${counts.changes2xx} changes), each checked against its token's role and tenants; ${jobs} jobs queued by the API, all checked; ` +
        `heap after GC ${before.heapMb} -> ${halves[0]!.heapMb} -> ${halves[1]!.heapMb} MB, RSS ${before.rssMb} -> ${halves[0]!.rssMb} -> ${halves[1]!.rssMb} MB (gc ${before.gc}); failures ${JSON.stringify(failureKinds)}; ${Date.now() - started} ms\n`,
    );
    expect(failures).toEqual([]);
    expect(failureKinds).toEqual({});
    expect(counts.http).toBe(HTTP_CASES);
    expect(halves[1]!.heapMb - before.heapMb).toBeLessThan(32);
    expect(halves[1]!.heapMb - halves[0]!.heapMb).toBeLessThan(Math.max(0, halves[0]!.heapMb - before.heapMb) + 16);
  }, 240_000);
});
