/**
 * A write-back to a ticket deleted in the tracker after the job was queued ends quietly as `deleted`
 * instead of failing for good (which put routine deletions on the dead-letter queue, with an error
 * logged, for an admin to look at and a replay that could only fail again). Found by the ledger
 * model test (ledger-model.test.ts). Any other error still fails the job.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import type { Runtime } from '@pool-guard/shared/runtime';
import { isTrackerError } from '@pool-guard/shared/tracker';
import { applyTrackerEvent, writeBackTicket, type WorkerDeps } from '../src/index.js';
import { startSandboxTenant, type SandboxTenant } from './support/sandbox-tenant.js';

describe('write-back of a ticket deleted in the tracker meanwhile', () => {
  let setup: SandboxTenant;
  let sandbox: JiraSandbox;
  let runtime: Runtime;
  let deps: WorkerDeps;

  beforeAll(async () => {
    setup = await startSandboxTenant('wb-deleted');
    ({ sandbox, runtime } = setup);
    deps = setup.deps;
  });
  afterAll(async () => {
    await setup?.close();
  });

  const counted = async (summary: string) => {
    const issue = sandbox.createIssue({ project: 'CR', summary, labels: ['custom-request'], originalEstimate: '2d', dueDate: '2026-11-20' });
    const event = { kind: 'ticket.changed' as const, ticketKey: issue.key, ticketId: issue.id, actorId: sandbox.users.sales.accountId, updatedAt: issue.updatedMs };
    expect(await applyTrackerEvent(deps, { tenant: 'acme', event })).toMatchObject({ kind: 'applied' });
    return issue;
  };

  it('answers deleted and writes nothing', async () => {
    const issue = await counted('Deleted before its write-back');
    sandbox.deleteIssue(issue.key);
    const writes = sandbox.countWrites();
    expect(await writeBackTicket(deps, { tenant: 'acme', ticketId: issue.id })).toEqual({ kind: 'deleted' });
    expect(sandbox.countWrites()).toBe(writes);
    expect(await runtime.store.getWritten('acme', issue.id)).toBeNull();
  });

  it('still fails on any other error of the tracker', async () => {
    const issue = await counted('Tracker in trouble');
    const fault = sandbox.faults.add({ method: 'PUT', path: `/rest/api/3/issue/${issue.id}`, status: 500, times: Infinity });
    let caught: unknown = null;
    await writeBackTicket(deps, { tenant: 'acme', ticketId: issue.id }).catch((err: unknown) => {
      caught = err;
    });
    sandbox.faults.remove(fault.id);
    expect(isTrackerError(caught) && caught.kind).toBe('transient');
  });
});
