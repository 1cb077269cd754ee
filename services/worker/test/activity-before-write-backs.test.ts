/**
 * An event records its ticket's and pools' activity before it queues their write-backs, so a
 * write-back queued with the coalesce delay runs when that delay ends instead of being held once
 * more for the milliseconds between the queueing and the record (which, under a steady stream of
 * changes, moved nearly every write-back to the delayed set and back). A pool's write-back waits for
 * the pool to rest POOL_QUIET_MS (a pool that changes every few hundred milliseconds is refreshed
 * at its hold limit, not after every change).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Job } from 'bullmq';
import type { JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import type { PoolGuardQueues } from '@pool-guard/shared/queue';
import type { Runtime } from '@pool-guard/shared/runtime';
import { POOL_QUIET_MS, burstHoldMs } from '../src/processors/burst-hold.js';
import { applyTrackerEvent, type WorkerDeps } from '../src/index.js';
import { startSandboxTenant, type SandboxTenant } from './support/sandbox-tenant.js';

const COALESCE_MS = 250;

describe('activity is recorded before write-backs are queued', () => {
  let setup: SandboxTenant;
  let sandbox: JiraSandbox;
  let runtime: Runtime;
  let deps: WorkerDeps;
  /** Each add of a write-back (ticket or pool) with the activity Redis had for its subject at that moment. */
  const adds: Array<{ job: string; subject: string; activityAt: number; addedAt: number }> = [];

  beforeAll(async () => {
    setup = await startSandboxTenant('activity-order', { coalesceMs: COALESCE_MS });
    ({ sandbox, runtime } = setup);
    const queues: PoolGuardQueues = {
      ...runtime.queues,
      add: (async (job, data, options) => {
        const d = data as { tenant: string; ticketId?: string; poolId?: string };
        const activityAt =
          job === 'tracker.writeback'
            ? await runtime.activity.ticketChangedAt(d.tenant, d.ticketId!)
            : job === 'pool.writeback'
              ? await runtime.activity.poolChangedAt(d.tenant, d.poolId!)
              : -1;
        adds.push({ job, subject: d.ticketId ?? d.poolId ?? '', activityAt, addedAt: Date.now() });
        await runtime.queues.add(job, data, options);
      }) as PoolGuardQueues['add'],
    };
    deps = { ...setup.deps, queues };
  });
  afterAll(async () => {
    await setup?.close();
  });

  it("has the ticket's and its pool's change on record when their write-backs are queued, so neither is held again", async () => {
    // Two requests in one pool, so that the second one's change moves the pool's figures too.
    for (const summary of ['First', 'Second']) {
      const issue = sandbox.createIssue({ project: 'CR', summary, labels: ['custom-request'], originalEstimate: '2d', dueDate: '2026-11-20' });
      const event = { kind: 'ticket.changed' as const, ticketKey: issue.key, ticketId: issue.id, actorId: sandbox.users.sales.accountId, updatedAt: issue.updatedMs };
      adds.length = 0;
      const before = Date.now();
      expect(await applyTrackerEvent(deps, { tenant: 'acme', event })).toMatchObject({ kind: 'applied' });
      const own = adds.find((a) => a.job === 'tracker.writeback' && a.subject === issue.id);
      expect(own).toBeDefined();
      expect(own!.activityAt).toBeGreaterThanOrEqual(before);
      expect(own!.activityAt).toBeLessThanOrEqual(own!.addedAt);
      for (const pool of adds.filter((a) => a.job === 'pool.writeback')) {
        expect(pool.activityAt).toBeGreaterThanOrEqual(before);
        expect(pool.activityAt).toBeLessThanOrEqual(pool.addedAt);
      }
      // When the write-back's coalesce delay is over, nothing holds it.
      const job = { timestamp: own!.addedAt } as Job;
      const noBacklog = async () => 0;
      const dueAt = own!.addedAt + COALESCE_MS;
      await new Promise((r) => setTimeout(r, Math.max(0, dueAt - Date.now())));
      expect(await burstHoldMs(deps, job, { tenant: 'acme', ticketId: issue.id }, noBacklog)).toBe(0);
    }
    expect(adds.some((a) => a.job === 'pool.writeback')).toBe(true);
  });

  it('holds a pool write-back until the pool has rested POOL_QUIET_MS, longer than the coalesce window', async () => {
    const noBacklog = async () => 0;
    const changedAt = Date.now();
    await runtime.activity.touch('acme', 'some-ticket', ['CR/2027-Q2'], changedAt);
    const job = { timestamp: changedAt } as Job;
    await new Promise((r) => setTimeout(r, COALESCE_MS + 50));
    const hold = await burstHoldMs(deps, job, { tenant: 'acme', poolId: 'CR/2027-Q2' }, noBacklog);
    expect(hold).toBeGreaterThan(0);
    expect(Date.now() + hold).toBeGreaterThanOrEqual(changedAt + POOL_QUIET_MS);
    // A ticket's write-back, changed at the same time, is due.
    await runtime.activity.touch('acme', 'some-ticket', [], changedAt);
    expect(await burstHoldMs(deps, job, { tenant: 'acme', ticketId: 'some-ticket' }, noBacklog)).toBe(0);
  });
});
