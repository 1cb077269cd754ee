/**
 * A write-back to a ticket deleted in the tracker after the job was queued ends quietly as `deleted`
 * instead of failing for good (which put routine deletions on the dead-letter queue, with an error
 * logged, for an admin to look at and a replay that could only fail again). Found by the ledger
 * model test (ledger-model.test.ts). Any other error still fails the job.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { createJiraSandbox, type JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import { configFileSchema } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { isTrackerError } from '@pool-guard/shared/tracker';
import { testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { applyTrackerEvent, writeBackTicket, type WorkerDeps } from '../src/index.js';

describe('write-back of a ticket deleted in the tracker meanwhile', () => {
  let sandbox: JiraSandbox;
  let runtime: Runtime;
  let deps: WorkerDeps;

  beforeAll(async () => {
    sandbox = createJiraSandbox({ webhookJitterMs: 0 });
    const url = await sandbox.listen(0);
    const config = configFileSchema.parse({
      adminTokens: [{ token: 'deleted-ticket-admin-token-01', role: 'admin' }],
      tenants: [{ id: 'acme', tracker: 'jira', baseUrl: url, email: sandbox.users.bot.email, apiToken: sandbox.users.bot.apiToken, webhookSecret: 'deleted-ticket-secret' }],
      worker: { coalesceMs: 0 },
      redisKeyPrefix: uniquePrefix('wb-deleted'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    deps = { ...runtime, coalesceMs: 0, reconcile: config.reconcile };
  });
  afterAll(async () => {
    await runtime?.queues.writeback.obliterate({ force: true });
    await runtime?.close();
    await sandbox?.close();
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
