/**
 * A write-back whose worker dies after its tracker calls but before it records what it wrote: the
 * ticket shows marks Pool Guard does not know it wrote. When the ticket then leaves its pool, the
 * next write-back must still take them off (it used to find nothing written and leave the pool
 * label, badge and comment on a ticket that no longer counts; found by the soak).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { createJiraSandbox, type JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import { configFileSchema } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { applyTrackerEvent, writeBackTicket, type WorkerDeps } from '../src/index.js';

describe('a write-back that died before recording what it wrote', () => {
  let sandbox: JiraSandbox;
  let runtime: Runtime;
  let deps: WorkerDeps;

  beforeAll(async () => {
    sandbox = createJiraSandbox({ webhookJitterMs: 0 });
    const url = await sandbox.listen(0);
    const config = configFileSchema.parse({
      adminTokens: [{ token: 'crash-admin-token-0123456789', role: 'admin' }],
      tenants: [{ id: 'acme', tracker: 'jira', baseUrl: url, email: sandbox.users.bot.email, apiToken: sandbox.users.bot.apiToken, webhookSecret: 'crash-secret' }],
      worker: { coalesceMs: 0 },
      redisKeyPrefix: uniquePrefix('wb-crash'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    deps = { ...runtime, coalesceMs: 0, reconcile: config.reconcile };
    await runtime.store.setPoolSettings('acme', 'CR/2026-Q4', { limitDays: 10, warnAtPercent: 80 });
  });
  afterAll(async () => {
    await runtime?.queues.events.obliterate({ force: true });
    await runtime?.queues.writeback.obliterate({ force: true });
    await runtime?.close();
    await sandbox?.close();
  });

  const apply = async (id: string) => {
    const issue = sandbox.issue(id)!;
    const event = { kind: 'ticket.changed' as const, ticketKey: issue.key, ticketId: issue.id, actorId: sandbox.users.sales.accountId, updatedAt: issue.updatedMs };
    return applyTrackerEvent(deps, { tenant: 'acme', event });
  };
  const marks = (id: string) => {
    const issue = sandbox.issue(id)!;
    return {
      labels: issue.labels.filter((l) => l.startsWith('pool-')),
      badge: issue.properties['pool-guard'] ?? null,
      comments: issue.comments.filter((c) => c.authorId === sandbox.users.bot.accountId).map((c) => c.text.split('\n')[0]),
    };
  };

  it('takes the marks off when the ticket then leaves its pool', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'Written, not recorded', labels: ['custom-request'], originalEstimate: '2d', dueDate: '2026-11-20' });
    expect(await apply(issue.id)).toMatchObject({ kind: 'applied' });

    // The worker dies right after its tracker calls: nothing records what it wrote.
    const tenant = runtime.tenants.get('acme')!;
    const writeBack = tenant.client.writeBack;
    tenant.client.writeBack = async (cmd) => {
      await writeBack.call(tenant.client, cmd);
      throw new Error('worker killed');
    };
    await expect(writeBackTicket(deps, { tenant: 'acme', ticketId: issue.id })).rejects.toThrow('worker killed');
    tenant.client.writeBack = writeBack;
    expect(marks(issue.id)).toMatchObject({ labels: ['pool-ok'], comments: [expect.any(String)] });

    // The ticket stops being a custom request: its next write-back must clean up.
    sandbox.editIssue(issue.key, { labels: { remove: ['custom-request'] } });
    expect(await apply(issue.id)).toMatchObject({ kind: 'applied' });
    expect(await writeBackTicket(deps, { tenant: 'acme', ticketId: issue.id })).toMatchObject({ kind: 'written' });
    const after = marks(issue.id);
    expect(after.labels).toEqual([]);
    expect(after.badge).toBeNull();
    expect(after.comments).toHaveLength(1); // edited in place: it now says the ticket left the pool
    expect(await writeBackTicket(deps, { tenant: 'acme', ticketId: issue.id })).toMatchObject({ kind: 'unchanged' });
  });

  it('writes every part again when the ticket stays in its pool', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'Still counted', labels: ['custom-request'], originalEstimate: '1d', dueDate: '2026-11-21' });
    expect(await apply(issue.id)).toMatchObject({ kind: 'applied' });
    const tenant = runtime.tenants.get('acme')!;
    const writeBack = tenant.client.writeBack;
    tenant.client.writeBack = async (cmd) => {
      await writeBack.call(tenant.client, cmd);
      throw new Error('worker killed');
    };
    await expect(writeBackTicket(deps, { tenant: 'acme', ticketId: issue.id })).rejects.toThrow('worker killed');
    tenant.client.writeBack = writeBack;
    expect(await writeBackTicket(deps, { tenant: 'acme', ticketId: issue.id })).toMatchObject({ kind: 'written' });
    expect(marks(issue.id)).toMatchObject({ labels: ['pool-ok'], comments: [expect.any(String)] });
    expect(await writeBackTicket(deps, { tenant: 'acme', ticketId: issue.id })).toMatchObject({ kind: 'unchanged' });
  });
});
