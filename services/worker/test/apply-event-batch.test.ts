/**
 * A burst records what each event's re-read saw exactly as a single event does (applyTrackerEvent):
 * a ticket that is gone when its `ticket.changed` is applied is a deletion ordered by the instant
 * the tracker reported, so a later version (a Linear issue restored from the trash) counts again.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TrackerEvent } from '@pool-guard/shared/tracker';
import { applyEventBatch } from '../src/use-cases/apply-event-batch.js';
import { startSandboxTenant, type SandboxTenant } from './support/sandbox-tenant.js';

describe('a burst whose ticket is gone when it is re-read', () => {
  let setup: SandboxTenant;

  beforeAll(async () => {
    setup = await startSandboxTenant('burst-gone');
  });
  afterAll(async () => {
    await setup?.close();
  });

  it('records a revivable deletion ordered by the reported instant, as a single event does', async () => {
    const { sandbox, runtime, deps } = setup;
    const issue = sandbox.createIssue({ project: 'CR', summary: 'Gone later', labels: ['custom-request'], originalEstimate: '2d', dueDate: '2026-11-20' });
    const changed = (updatedAt: number): TrackerEvent => ({ kind: 'ticket.changed', ticketKey: issue.key, ticketId: issue.id, actorId: sandbox.users.sales.accountId, updatedAt });
    expect(await applyEventBatch(deps, 'acme', [changed(issue.updatedMs)], 2)).toMatchObject({ kind: 'applied', applied: 1, deferred: [] });
    expect((await runtime.store.getTicket('acme', issue.id))?.state.request?.days).toBe(2);

    sandbox.deleteIssue(issue.key);
    const reportedAt = issue.updatedMs + 60_000;
    expect(await applyEventBatch(deps, 'acme', [changed(reportedAt)], 2)).toMatchObject({ kind: 'applied', applied: 1, deferred: [] });
    expect((await runtime.store.getTicket('acme', issue.id))?.state).toEqual({
      deleted: true,
      updatedAt: new Date(reportedAt).toISOString(),
      request: null,
      revivable: true,
    });
  });
});
