/** The admin pools API over real HTTP on a real Redis: the contract of issue 2. */
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

const TOKEN = 'pools-api-admin-token-0123';

describe('admin API: pools', () => {
  let runtime: Runtime;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const config = configFileSchema.parse({
      adminTokens: [{ token: TOKEN }],
      tenants: [{ id: 'acme', tracker: 'jira', baseUrl: 'http://127.0.0.1:9', email: 'b@example.com', apiToken: 'x', webhookSecret: 's', warnAtPercent: 75 }],
      redisKeyPrefix: uniquePrefix('admin'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    server = await listen(createAdminApp({ ...runtime, adminTokens: config.adminTokens }, [{ name: 'redis', check: () => runtime.redisHealthy() }]), 0, '127.0.0.1');
    base = `http://127.0.0.1:${boundPort(server)}/api/v1`;
  });
  afterAll(async () => {
    await closeServer(server);
    await runtime.queues.events.obliterate({ force: true });
    await runtime.close();
  });

  const call = async (method: string, path: string, body?: string, token: string | null = TOKEN) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : null };
  };

  it('sets a pool and reads it back', async () => {
    const put = await call('PUT', '/tenants/acme/pools/CR/2026-Q4', '{"limitDays": 10, "warnAtPercent": 80}');
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ scope: 'CR', quarter: '2026-Q4', limitDays: 10, warnAtPercent: 80, usedDays: 0, requests: [] });
    const get = await call('GET', '/tenants/acme/pools/CR/2026-Q4');
    expect(get.status).toBe(200);
    expect(get.body).toMatchObject({ limitDays: 10, usedDays: 0, warnAtPercent: 80, requests: [] });
    // A recompute was queued so existing tickets follow the new limit.
    expect((await runtime.queues.events.getJobs(['waiting'])).some((j) => j.name === 'pool.recompute' && j.data.poolId === 'CR/2026-Q4')).toBe(true);
  });

  it('defaults warnAtPercent to the tenant setting when omitted, and accepts a limit of 0', async () => {
    expect((await call('PUT', '/tenants/acme/pools/OPS/2026-Q4', '{"limitDays": 0}')).body).toMatchObject({ limitDays: 0, warnAtPercent: 75 });
  });

  it('answers a pool that was never set with limitDays null', async () => {
    const res = await call('GET', '/tenants/acme/pools/NEW/2027-Q2');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ limitDays: null, usedDays: 0, requests: [] });
  });

  it('checks the token before anything else: 401 before 404 and 400', async () => {
    expect((await call('PUT', '/tenants/acme/pools/CR/2026-Q4', '{"limitDays": 10}', null)).status).toBe(401);
    expect((await call('PUT', '/tenants/acme/pools/CR/2026-Q4', 'not json', 'wrong-token')).status).toBe(401);
    expect((await call('GET', '/tenants/nobody/pools/CR/2026-Q4', undefined, null)).status).toBe(401);
    expect((await call('GET', '/tenants/acme/pools/CR/2026-Q4', undefined, 'Bearer')).status).toBe(401);
  });

  it('answers 404 to an unknown tenant', async () => {
    expect((await call('GET', '/tenants/nobody/pools/CR/2026-Q4')).status).toBe(404);
    expect((await call('PUT', '/tenants/nobody/pools/CR/2026-Q4', '{"limitDays": 1}')).status).toBe(404);
  });

  it.each([
    ['{"warnAtPercent": 80}', /limitDays is required/],
    ['{"limitDays": "ten"}', /limitDays must be a number/],
    ['{"limitDays": -1}', /limitDays must be 0 or more/],
    ['{"limitDays": 5, "warnAtPercent": 150}', /warnAtPercent/],
    ['{"limitDays": 5, "limit": 3}', /unknown field limit/],
    ['[1,2]', /body must be a JSON object/],
    ['{"limitDays": 5', /JSON|Unexpected|Expected/i],
  ])('answers 400 naming the field for the body %s', async (body, message) => {
    const res = await call('PUT', '/tenants/acme/pools/CR/2026-Q4', body);
    expect(res.status).toBe(400);
    expect(String(res.body?.error)).toMatch(message);
  });

  it('answers 400 to a quarter or scope that is not one', async () => {
    expect((await call('GET', '/tenants/acme/pools/CR/2026-Q5')).body?.error).toMatch(/2026-Q4/);
    expect((await call('PUT', '/tenants/acme/pools/CR/Q4-2026', '{"limitDays": 1}')).status).toBe(400);
    expect((await call('GET', `/tenants/acme/pools/${encodeURIComponent('C R')}/2026-Q4`)).status).toBe(400);
  });

  it('lists the pools of a tenant, optionally for one quarter', async () => {
    const all = await call('GET', '/tenants/acme/pools');
    expect(all.body?.pools.map((p: { scope: string; quarter: string }) => `${p.scope}/${p.quarter}`)).toEqual(expect.arrayContaining(['CR/2026-Q4', 'OPS/2026-Q4']));
    const q = await call('GET', '/tenants/acme/pools?quarter=2027-Q1');
    expect(q.body?.pools).toEqual([]);
    expect((await call('GET', '/tenants/acme/pools?quarter=bad')).status).toBe(400);
  });

  it('serves health', async () => {
    const res = await fetch(`http://127.0.0.1:${boundPort(server)}/healthz`);
    expect(res.status).toBe(200);
  });
});
