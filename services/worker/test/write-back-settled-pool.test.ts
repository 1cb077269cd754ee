/**
 * A write-back shows a pool's committed outcome, never a state that no recompute committed.
 *
 * Found by the ledger model test (ledger-model.test.ts): worker A applies a change to ticket Y and,
 * before it recomputes the pool, a write-back of ticket X runs; then worker B applies Y's next
 * change, which undoes the first. Both recomputes compare with the outcome committed before A's
 * change, find X's view unchanged and queue nothing for X. A write-back that read the pool's live,
 * uncommitted requests left X showing the in-between figures for good.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import type { Runtime } from '@pool-guard/shared/runtime';
import type { TrackerEvent } from '@pool-guard/shared/tracker';
import { applyObservedTicket, applyTrackerEvent, readTicket, settleTouchedPools, writeBackPool, writeBackTicket, type WorkerDeps } from '../src/index.js';
import { reportingAdds } from './support/reporting-queues.js';
import { startSandboxTenant, type SandboxTenant } from './support/sandbox-tenant.js';

const POOL = 'CR/2026-Q4';
const EIGHT_HOURS = 8 * 3600;

describe('write-back of a ticket whose pool is being recomputed', () => {
  let setup: SandboxTenant;
  let sandbox: JiraSandbox;
  let runtime: Runtime;
  let deps: WorkerDeps;
  const queued: string[] = [];
  const queuedPools: string[] = [];

  beforeAll(async () => {
    setup = await startSandboxTenant('settled');
    ({ sandbox, runtime } = setup);
    // The write-back queues as the worker sees them: every ticket and pool queued, in order (no worker consumes them here).
    const queues = reportingAdds(runtime.queues, ({ job, subject }) => {
      if (job === 'tracker.writeback') queued.push(subject);
      if (job === 'pool.writeback') queuedPools.push(subject);
    });
    deps = { ...setup.deps, queues };
  });
  afterAll(async () => {
    await setup?.close();
  });

  const event = (key: string): TrackerEvent => {
    const issue = sandbox.issue(key)!;
    return { kind: 'ticket.changed', ticketKey: key, ticketId: issue.id, actorId: sandbox.users.sales.accountId, updatedAt: issue.updatedMs };
  };
  /** Runs every queued write-back (a pool's queues one per ticket), as the workers would. */
  const drain = async () => {
    for (let i = 0; (queued.length > 0 || queuedPools.length > 0) && i < 100; i++) {
      const poolId = queuedPools.shift();
      if (poolId !== undefined) await writeBackPool(deps, deps.tenants.get('acme')!, poolId);
      const ticketId = queued.shift();
      if (ticketId !== undefined) expect((await writeBackTicket(deps, { tenant: 'acme', ticketId })).kind).not.toBe('locked');
    }
  };

  it('leaves the ticket showing the final figures', async () => {
    await runtime.store.setPoolSettings('acme', POOL, { limitDays: 10, warnAtPercent: 80 });
    const x = sandbox.createIssue({ project: 'CR', summary: 'X', labels: ['custom-request'], originalEstimate: 2 * EIGHT_HOURS, dueDate: '2026-11-20' });
    const y = sandbox.createIssue({ project: 'CR', summary: 'Y', labels: ['custom-request'], originalEstimate: 2 * EIGHT_HOURS, dueDate: '2026-11-20' });
    await applyTrackerEvent(deps, { tenant: 'acme', event: event(x.key) });
    await applyTrackerEvent(deps, { tenant: 'acme', event: event(y.key) });
    await drain();
    expect(sandbox.issue(x.key)!.properties['pool-guard']).toMatchObject({ usedDays: 4 });

    const tenant = deps.tenants.get('acme')!;
    // Worker A: Y grows to 3 days; A updates the ledger and is held up before it recomputes the pool.
    sandbox.editIssue(y.key, { originalEstimate: 3 * EIGHT_HOURS });
    const seenByA = await readTicket(deps, tenant, y.id);
    const appliedByA = await applyObservedTicket(deps, tenant, { ticketId: y.id, ticketKey: y.key, ticket: seenByA });
    expect(appliedByA.applied).toBe(true);

    // Meanwhile a write-back of X runs (queued by anything: X's own edit, a sweep, a retry).
    await writeBackTicket(deps, { tenant: 'acme', ticketId: x.id });

    // Worker B: Y goes back to 2 days; B applies it and recomputes the pool.
    sandbox.editIssue(y.key, { originalEstimate: 2 * EIGHT_HOURS });
    await applyTrackerEvent(deps, { tenant: 'acme', event: event(y.key) });
    // Worker A resumes.
    await settleTouchedPools(deps, tenant, appliedByA.applied ? appliedByA.affectedPools : []);
    await drain();

    const pool = await runtime.store.readPool('acme', POOL);
    expect(pool.outcome?.outcome.usedDays).toBe(4);
    expect(sandbox.issue(x.key)!.properties['pool-guard']).toMatchObject({ usedDays: 4, limitDays: 10, days: 2 });
    expect(sandbox.issue(y.key)!.properties['pool-guard']).toMatchObject({ usedDays: 4, limitDays: 10, days: 2 });
  });
});
