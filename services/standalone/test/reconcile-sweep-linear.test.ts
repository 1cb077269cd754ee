/**
 * Reconcile sweeps on a sandbox Linear that has no webhook to Pool Guard: the sweep labels,
 * comments and badges (attachment) new requests, repairs a removed label, a deleted badge and a
 * deleted comment, finds a trashed issue (and counts it again once restored), and writes nothing
 * when all is well.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { createLinearSandbox, SANDBOX_SEED, type LinearSandbox } from '@pool-guard/plugin-linear/sandbox';
import { configFileSchema } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import type { SweepReport } from '@pool-guard/shared/store';
import { testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { reconcileTenant, type WorkerDeps } from '@pool-guard/worker';
import { startStack, type Stack } from '../src/start-stack.js';
import { shownOnLinear } from './support/linear-stack.js';

const Q = '2026-Q4';
const DUE = '2026-11-20';
const RANGE = { from: '2026-Q3', to: '2027-Q1' };

describe('reconcile sweep of a Linear tenant that missed its webhooks', () => {
  let linear: LinearSandbox;
  let stack: Stack;
  let deps: WorkerDeps;
  const ids: Record<string, string> = {};
  const show = (name: string) => shownOnLinear(linear, ids[name]!);

  const sweep = async (): Promise<SweepReport> => {
    const outcome = await reconcileTenant(deps, { tenant: 'initech', trigger: 'admin', quarters: RANGE });
    if (outcome.kind !== 'swept') throw new Error(`no sweep: ${outcome.kind}`);
    return outcome.report;
  };
  const settle = async () => {
    for (let quiet = 0; quiet < 3; ) {
      const c = await stack.runtime.queues.writeback.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      quiet = Object.values(c).every((n) => n === 0) ? quiet + 1 : 0;
      await new Promise((r) => setTimeout(r, 40));
    }
  };
  const asSales = (query: string, variables: Record<string, unknown>) => linear.graphql(query, variables, 'sales');

  beforeAll(async () => {
    linear = createLinearSandbox();
    const apiUrl = await linear.listen();
    const config = configFileSchema.parse({
      adminTokens: [{ token: 'test-admin-token-0123456789' }],
      tenants: [{ id: 'initech', tracker: 'linear', apiKey: SANDBOX_SEED.botApiKey, apiUrl, webhookSecret: 'not-registered' }],
      worker: { concurrency: 8, coalesceMs: 50 },
      reconcile: { intervalMinutes: 0 },
      redisKeyPrefix: uniquePrefix('sweep-linear'),
    });
    stack = await startStack({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger(), port: 0, host: '127.0.0.1' });
    deps = { ...stack.runtime, coalesceMs: config.worker.coalesceMs, reconcile: config.reconcile };
    await stack.runtime.store.setPoolSettings('initech', `ENG/${Q}`, { limitDays: 8, warnAtPercent: 80 });
  });
  afterAll(async () => {
    await stack?.stop();
    await linear?.close();
  });

  it('converges: new requests get a label, one comment and a badge', async () => {
    for (const [name, estimate] of [['A', 3], ['B', 3], ['C', 5]] as const) {
      ids[name] = (await linear.createIssue({ team: 'ENG', title: `Request ${name}`, labels: ['custom-request'], estimate, dueDate: DUE })).identifier;
    }
    const report = await sweep();
    await settle();
    expect(report).toMatchObject({ status: 'completed', ticketsInRange: 3, ledger: { added: 3 }, writeBacksQueued: 3, errorCount: 0 });
    expect(show('A').label).toBe('pool-ok');
    expect(show('B').label).toBe('pool-ok');
    expect(show('C').label).toBe('pool-over-limit');
    for (const name of ['A', 'B', 'C']) {
      expect(show(name).comments).toHaveLength(1);
      expect(show(name).badges).toHaveLength(1);
    }
    expect(show('A').badge?.metadata).toMatchObject({ quarter: Q, scope: 'ENG', state: 'ok', usedDays: 6, limitDays: 8, days: 3, rank: 1 });
  });

  it('writes nothing when all is well', async () => {
    const before = linear.requestLog.countRequests();
    const report = await sweep();
    await settle();
    expect(report).toMatchObject({ writeBacksQueued: 0, drift: { labels: 0, badges: 0, comments: 0 }, ledger: { added: 0, updated: 0 } });
    // The sweep's own listing only: no write-back ran.
    expect(linear.requestLog.countRequests() - before).toBe(1);
  });

  it('repairs a removed pool label, a deleted badge and a deleted comment', async () => {
    const a = linear.issue(ids.A!)!;
    const { issue } = await asSales('query($id: String!) { issue(id: $id) { labels { nodes { id name } } } }', { id: a.id }) as { issue: { labels: { nodes: Array<{ id: string; name: string }> } } };
    const poolOk = issue.labels.nodes.find((l) => l.name === 'pool-ok')!.id;
    await asSales('mutation($id: String!, $input: IssueUpdateInput!) { issueUpdate(id: $id, input: $input) { success } }', { id: a.id, input: { removedLabelIds: [poolOk] } });
    await asSales('mutation($id: String!) { attachmentDelete(id: $id) { success } }', { id: show('B').badge!.id });
    await linear.graphql('mutation($id: String!) { commentDelete(id: $id) { success } }', { id: show('C').comments[0]!.id }, 'bot');
    expect(show('A').label).toBeNull();
    expect(show('B').badges).toHaveLength(0);
    expect(show('C').comments).toHaveLength(0);

    const report = await sweep();
    await settle();
    expect(report).toMatchObject({ drift: { labels: 1, badges: 1, comments: 1 }, writeBacksQueued: 3, errorCount: 0 });
    expect(show('A').label).toBe('pool-ok');
    expect(show('B').badges).toHaveLength(1);
    expect(show('C').comments).toHaveLength(1);
    expect((await sweep()).writeBacksQueued).toBe(0);
  });

  it('finds an issue trashed while webhooks were lost and gives its days back', async () => {
    await asSales('mutation($id: String!) { issueDelete(id: $id) { success } }', { id: linear.issue(ids.B!)!.id });
    const report = await sweep();
    await settle();
    expect(report).toMatchObject({ ticketsRefetched: 1, ledger: { deleted: 1 } });
    const pool = await stack.runtime.store.readPool('initech', `ENG/${Q}`);
    expect(pool.requests.map((r) => r.key).sort()).toEqual([ids.A, ids.C]);
    expect(show('C').label).toBe('pool-near-limit'); // 3 + 5 = 8 of 8
  });

  it('counts the issue again when it is restored from the trash, also found by a sweep', async () => {
    await asSales('mutation($id: String!) { issueUnarchive(id: $id) { success } }', { id: linear.issue(ids.B!)!.id });
    const report = await sweep();
    await settle();
    expect(report).toMatchObject({ ledger: { added: 1 }, errorCount: 0 });
    const pool = await stack.runtime.store.readPool('initech', `ENG/${Q}`);
    expect(pool.requests.map((r) => r.key).sort()).toEqual([ids.A, ids.B, ids.C]);
    expect(show('B').label).toBe('pool-ok');
    expect(show('C').label).toBe('pool-over-limit');
    expect(show('B').comments).toHaveLength(1);
  });
});
