/**
 * A token restricted to some tenants learns nothing about the others: another tenant and a tenant
 * that does not exist get the same 403, on every tenant route. (Found by the tenant isolation test:
 * the tenant was looked up first, so 403 against 404 told a restricted token which ids exist.)
 * A token for all tenants still gets 404 for an unknown tenant.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema } from '@pool-guard/shared/config';
import { boundPort, closeServer, listen } from '@pool-guard/shared/http';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { createAdminApp } from '../src/app.js';

const ALL = 'restricted-test-all-tenants-01';
const ACME_ONLY = 'restricted-test-acme-only-0002';

describe('admin API: a token restricted to some tenants', () => {
  let runtime: Runtime;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const jira = { tracker: 'jira', baseUrl: 'http://127.0.0.1:9', email: 'b@example.com', apiToken: 'x', webhookSecret: 's' };
    const config = configFileSchema.parse({
      adminTokens: [{ token: ALL }, { token: ACME_ONLY, tenants: ['acme'] }],
      tenants: [{ id: 'acme', ...jira }, { id: 'globex', ...jira }],
      redisKeyPrefix: uniquePrefix('restricted'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    server = await listen(createAdminApp({ ...runtime, adminTokens: config.adminTokens }, []), 0, '127.0.0.1');
    base = `http://127.0.0.1:${boundPort(server)}/api/v1`;
  });
  afterAll(async () => {
    await closeServer(server);
    await runtime.queues.events.obliterate({ force: true });
    await runtime.close();
  });

  const call = async (method: string, path: string, token: string) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(method === 'PUT' ? { body: '{"limitDays": 1}' } : {}),
    });
    return { status: res.status, body: await res.text() };
  };
  const ROUTES: Array<[string, (t: string) => string]> = [
    ['GET', (t) => `/tenants/${t}/pools`],
    ['GET', (t) => `/tenants/${t}/pools/CR/2026-Q4`],
    ['PUT', (t) => `/tenants/${t}/pools/CR/2026-Q4`],
    ['GET', (t) => `/tenants/${t}/sweeps/last`],
    ['POST', (t) => `/tenants/${t}/sweeps`],
  ];

  it('gets the same 403 for another tenant and for one that does not exist', async () => {
    for (const [method, path] of ROUTES) {
      const other = await call(method, path('globex'), ACME_ONLY);
      const missing = await call(method, path('no-such-tenant'), ACME_ONLY);
      expect({ path: path('x'), status: other.status }).toEqual({ path: path('x'), status: 403 });
      expect({ path: path('x'), status: missing.status, body: missing.body.replace('no-such-tenant', 'globex') }).toEqual({ path: path('x'), status: 403, body: other.body });
    }
  });

  it('leaves 404 for an unknown tenant to tokens for all tenants', async () => {
    for (const [method, path] of ROUTES) expect({ path: path('x'), status: (await call(method, path('no-such-tenant'), ALL)).status }).toEqual({ path: path('x'), status: 404 });
  });
});
