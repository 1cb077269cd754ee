/**
 * A pool's figures refresh (`pool.writeback`) of a small pool writes its tickets itself instead of
 * queueing a write-back job per ticket: under a steady stream of changes every pool is refreshed
 * every few seconds, and the jobs cost more than the writes. A ticket whose lock another write-back
 * holds gets a job of its own, so it still shows the figures.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import type { Runtime } from '@pool-guard/shared/runtime';
import { applyTrackerEvent, recomputePool, writeBackPool, writeBackTicket, type WorkerDeps } from '../src/index.js';
import { reportingAdds } from './support/reporting-queues.js';
import { startSandboxTenant, type SandboxTenant } from './support/sandbox-tenant.js';

const POOL = 'CR/2026-Q4';

describe("a pool's figures refresh", () => {
  let setup: SandboxTenant;
  let sandbox: JiraSandbox;
  let runtime: Runtime;
  let deps: WorkerDeps;
  const adds: Array<{ job: string; id: string; lane: 'own' | 'figures' }> = [];

  beforeAll(async () => {
    setup = await startSandboxTenant('pool-refresh');
    ({ sandbox, runtime } = setup);
    const queues = reportingAdds(runtime.queues, ({ job, subject, options }) => adds.push({ job, id: subject, lane: (options?.priority ?? 0) > 0 ? 'figures' : 'own' }));
    deps = { ...setup.deps, queues };
  });
  afterAll(async () => {
    await setup?.close();
  });

  it('writes a small pool\'s tickets in the job itself, and queues a job only for a ticket another write-back holds', async () => {
    await runtime.store.setPoolSettings('acme', POOL, { limitDays: 10, warnAtPercent: 80 });
    const issues = ['A', 'B', 'C'].map((summary) =>
      sandbox.createIssue({ project: 'CR', summary, labels: ['custom-request'], originalEstimate: '2d', dueDate: '2026-11-20' }),
    );
    for (const issue of issues) {
      const event = { kind: 'ticket.changed' as const, ticketKey: issue.key, ticketId: issue.id, actorId: sandbox.users.sales.accountId, updatedAt: issue.updatedMs };
      await applyTrackerEvent(deps, { tenant: 'acme', event });
      await writeBackTicket(deps, { tenant: 'acme', ticketId: issue.id });
    }
    const tenant = deps.tenants.get('acme')!;
    await writeBackPool(deps, tenant, POOL);
    for (const issue of issues) expect(sandbox.issue(issue.key)!.properties['pool-guard']).toMatchObject({ usedDays: 6, limitDays: 10 });

    // The admin raises the limit: every ticket's figures move, and the pool's write-back is queued.
    await runtime.store.setPoolSettings('acme', POOL, { limitDays: 20, warnAtPercent: 80 });
    adds.length = 0;
    await recomputePool(deps, tenant, POOL);
    expect(adds).toEqual([{ job: 'pool.writeback', id: POOL, lane: 'own' }]);

    // Another write-back holds C's lock while the pool's job runs.
    const release = await runtime.locks.acquire('acme', issues[2]!.id, 10_000);
    adds.length = 0;
    expect(await writeBackPool(deps, tenant, POOL)).toEqual({ written: 2, queued: 1 });
    expect(adds).toEqual([{ job: 'tracker.writeback', id: issues[2]!.id, lane: 'figures' }]);
    for (const issue of issues.slice(0, 2)) expect(sandbox.issue(issue.key)!.properties['pool-guard']).toMatchObject({ usedDays: 6, limitDays: 20 });
    expect(sandbox.issue(issues[2]!.key)!.properties['pool-guard']).toMatchObject({ limitDays: 10 });

    // C's own job, once the lock is free, shows the new figures too; a second refresh writes nothing.
    await release!();
    expect(await writeBackTicket(deps, { tenant: 'acme', ticketId: issues[2]!.id })).toMatchObject({ kind: 'written' });
    expect(sandbox.issue(issues[2]!.key)!.properties['pool-guard']).toMatchObject({ usedDays: 6, limitDays: 20 });
    const writes = sandbox.countWrites({ accountId: sandbox.users.bot.accountId });
    expect(await writeBackPool(deps, tenant, POOL)).toEqual({ written: 0, queued: 0 });
    expect(sandbox.countWrites({ accountId: sandbox.users.bot.accountId })).toBe(writes);
  });
});
