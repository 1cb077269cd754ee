/**
 * Jobs that fail for good land in the dead-letter queue; admins list, inspect and replay them
 * through the admin API, and see the queues in Bull Board behind their token.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createJiraSandbox, type JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import { eventually, uniquePrefix } from '@pool-guard/shared/testing';
import { ADMIN_TOKEN, shownOn, startJiraStack, type JiraStack } from './support/jira-stack.js';

const VIEWER = 'viewer-token-0123456789';
const OTHER_TENANT = 'other-tenant-token-0123456789';

describe('dead letters and the queue board', () => {
  let sandbox: JiraSandbox;
  let broken: JiraStack | null = null;
  let fixed: JiraStack | null = null;
  const prefix = uniquePrefix('dlq');
  const tokens = [
    { token: VIEWER, role: 'viewer' as const },
    { token: OTHER_TENANT, role: 'admin' as const, tenants: ['someone-else'] },
  ];

  beforeAll(async () => {
    sandbox = createJiraSandbox({ webhookRetryDelayMs: 50, webhookJitterMs: 0 });
    await sandbox.listen(0);
  });
  afterAll(async () => {
    await broken?.close();
    await fixed?.close();
    await sandbox.close();
  });

  it('moves a job the tracker refuses (bad credentials) to the dead-letter queue, once', async () => {
    broken = await startJiraStack({ reuseSandbox: sandbox, redisKeyPrefix: prefix, tenant: { apiToken: 'revoked-token' }, adminTokens: tokens });
    await broken.setPool('CR', '2026-Q4', 10);
    sandbox.createIssue({ project: 'CR', summary: 'Needs a working token', labels: ['custom-request'], originalEstimate: '2d', dueDate: '2026-11-01' });
    const list = await eventually(async () => {
      const res = await broken!.api('GET', '/api/v1/dead-letters');
      return res.body.deadLetters.length > 0 ? res.body.deadLetters : null;
    }, 'a dead letter');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ tenant: 'acme', name: 'tracker.event.apply', attemptsMade: 1 });
    expect(list[0].failedReason).toMatch(/auth/);
    expect(list[0]).not.toHaveProperty('data');

    const one = await broken.api('GET', `/api/v1/dead-letters/${list[0].id}`);
    expect(one.status).toBe(200);
    expect(one.body.data).toMatchObject({ tenant: 'acme', event: { kind: 'ticket.changed' } });
    expect(one.body.stacktrace.length).toBeGreaterThan(0);
  });

  it('keeps dead letters to the tokens allowed to see them, and replays only for admins', async () => {
    const h = broken!;
    const [entry] = (await h.api('GET', '/api/v1/dead-letters')).body.deadLetters;
    expect((await h.api('GET', '/api/v1/dead-letters', undefined, OTHER_TENANT)).body.deadLetters).toEqual([]);
    expect((await h.api('GET', `/api/v1/dead-letters/${entry.id}`, undefined, OTHER_TENANT)).status).toBe(404);
    expect((await h.api('GET', '/api/v1/dead-letters?tenant=acme', undefined, OTHER_TENANT)).status).toBe(403);
    expect((await h.api('GET', '/api/v1/dead-letters', undefined, 'wrong-token')).status).toBe(401);
    expect((await h.api('POST', `/api/v1/dead-letters/${entry.id}/replay`, undefined, VIEWER)).status).toBe(403);
    expect((await h.api('PUT', '/api/v1/tenants/acme/pools/CR/2026-Q4', { limitDays: 1 }, VIEWER)).status).toBe(403);
    expect((await h.api('GET', '/api/v1/tenants/acme/pools/CR/2026-Q4', undefined, VIEWER)).status).toBe(200);
    expect((await h.api('POST', '/api/v1/dead-letters/999999/replay')).status).toBe(404);
  });

  it('replays a dead letter once the cause is fixed, and the ticket gets its label', async () => {
    const [entry] = (await broken!.api('GET', '/api/v1/dead-letters')).body.deadLetters;
    await broken!.close();
    broken = null;
    fixed = await startJiraStack({ reuseSandbox: sandbox, redisKeyPrefix: prefix, adminTokens: tokens });
    const res = await fixed.api('POST', `/api/v1/dead-letters/${entry.id}/replay`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ replayed: true, name: 'tracker.event.apply' });
    await fixed.settle();
    const key = sandbox.issues('CR')[0]!.key;
    expect(shownOn(sandbox, key).label).toBe('pool-ok');
    expect(shownOn(sandbox, key).comments).toHaveLength(1);
    expect((await fixed.api('GET', '/api/v1/dead-letters')).body.deadLetters).toEqual([]);
  });

  it('serves Bull Board at /admin/queues behind the admin token', async () => {
    const h = fixed!;
    const anonymous = await fetch(`${h.url}/admin/queues`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
    const basic = `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`;
    expect((await fetch(`${h.url}/admin/queues`, { headers: { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` } })).status).toBe(401);
    expect((await fetch(`${h.url}/admin/queues`, { headers: { authorization: `Basic ${Buffer.from(`x:${VIEWER}`).toString('base64')}` } })).status).toBe(401);
    const page = await fetch(`${h.url}/admin/queues`, { headers: { authorization: basic } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const api = await fetch(`${h.url}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['{pool-guard-events}', '{pool-guard-writeback}', '{pool-guard-dead-letters}']));
  });
});
