/**
 * One failed tracker call is one failure in the tenant's streak, however many jobs were waiting on
 * it. The Jira plugin looks its custom fields up once per process and every job that needs them
 * meanwhile waits on that one call; when it answered 500, each job counted it, and eight jobs made a
 * streak of eight: the tenant's calls paused for 32 s (found by the soak, after a worker restart).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Job } from 'bullmq';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { createJiraSandbox, type JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import { configFileSchema } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { runTrackerJob } from '../src/processors/run-tracker-job.js';
import { readTicket } from '../src/use-cases/apply-tracker-event.js';
import type { WorkerDeps } from '../src/worker-deps.js';

describe('the tracker failure streak', () => {
  let sandbox: JiraSandbox;
  let runtime: Runtime;
  let deps: WorkerDeps;

  beforeAll(async () => {
    sandbox = createJiraSandbox({ webhookJitterMs: 0 });
    const url = await sandbox.listen(0);
    const config = configFileSchema.parse({
      adminTokens: [{ token: 'streak-admin-token-0123456789' }],
      tenants: [{ id: 'acme', tracker: 'jira', baseUrl: url, email: sandbox.users.bot.email, apiToken: sandbox.users.bot.apiToken, webhookSecret: 'streak-secret' }],
      redisKeyPrefix: uniquePrefix('streak'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    deps = { ...runtime, coalesceMs: 0, reconcile: config.reconcile };
  });
  afterAll(async () => {
    await runtime?.close();
    await sandbox?.close();
  });

  it('counts one failed call shared by eight jobs once', async () => {
    const issue = sandbox.createIssue({ project: 'CR', summary: 'Read by eight jobs', labels: ['custom-request'] });
    const tenant = runtime.tenants.get('acme')!;
    sandbox.faults.add({ method: 'GET', path: '/rest/api/3/field', status: 500, times: 1 });
    const job = (i: number) => ({ id: `job-${i}`, name: 'tracker.event.apply' }) as Job;
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => runTrackerJob(deps, job(i), undefined, 'acme', () => readTicket(deps, tenant, issue.id))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill('rejected')); // all waited on the one lookup
    expect(sandbox.requestLog.filter((r) => r.path === '/rest/api/3/field')).toHaveLength(1);
    expect(await runtime.throttle.pausedUntil('acme')).toBe(0); // a streak of one: no pause
    // The next call succeeds and ends the streak.
    await expect(runTrackerJob(deps, job(9), undefined, 'acme', () => readTicket(deps, tenant, issue.id))).resolves.toMatchObject({ key: issue.key });
  });
});
