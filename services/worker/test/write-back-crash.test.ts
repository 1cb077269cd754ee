/**
 * A write-back whose worker dies after its tracker calls but before it records what it wrote: the
 * ticket shows marks Pool Guard does not know it wrote. When the ticket then leaves its pool, the
 * next write-back must still take them off (it used to find nothing written and leave the pool
 * label, badge and comment on a ticket that no longer counts; found by the soak).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import type { Runtime } from '@pool-guard/shared/runtime';
import { applyTrackerEvent, writeBackTicket, type WorkerDeps } from '../src/index.js';
import { startSandboxTenant, type SandboxTenant } from './support/sandbox-tenant.js';

describe('a write-back that died before recording what it wrote', () => {
  let setup: SandboxTenant;
  let sandbox: JiraSandbox;
  let runtime: Runtime;
  let deps: WorkerDeps;

  beforeAll(async () => {
    setup = await startSandboxTenant('wb-crash');
    ({ sandbox, runtime } = setup);
    deps = setup.deps;
    await runtime.store.setPoolSettings('acme', 'CR/2026-Q4', { limitDays: 10, warnAtPercent: 80 });
  });
  afterAll(async () => {
    await setup?.close();
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
