/**
 * `npm run backfill` end to end: the built command as a child process against a sandbox Jira and
 * a config file, with no Pool Guard service running. It converges the ledger and the tickets,
 * prints progress and a summary, exits 0; run again it repairs nothing; interrupted with SIGINT it
 * keeps what it did and exits 130, and the next run finishes the job.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { loadConfigFile } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { SweepStore } from '@pool-guard/shared/store';
import { testRedisUrl } from '@pool-guard/shared/testing';
import { startStack } from '@pool-guard/standalone';
import { startBackfillHarness, type BackfillHarness } from './support/backfill-harness.js';

const Q = '2026-Q4';
const DUE = '2026-11-20';
const RANGE = ['--tenant', 'acme', '--from', '2026-Q3', '--to', '2027-Q1'];

function shown(h: BackfillHarness, key: string) {
  const issue = h.sandbox.issue(key)!;
  return {
    label: issue.labels.filter((l) => l.startsWith('pool-')).join(',') || null,
    comments: issue.comments.filter((c) => c.authorId === h.sandbox.users.bot.accountId),
    badge: issue.properties['pool-guard'] as Record<string, unknown> | undefined,
  };
}

describe('npm run backfill', () => {
  let h: BackfillHarness;

  beforeAll(async () => {
    h = await startBackfillHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('says what is wrong with a bad tenant or quarter range, and exits 2', async () => {
    const tenant = await h.run(['--tenant', 'acne', '--from', '2026-Q3']).done;
    expect(tenant.code).toBe(2);
    expect(tenant.stderr).toMatch(/unknown tenant "acne".*has: acme/);
    const quarter = await h.run(['--tenant', 'acme', '--from', '2026-Q5']).done;
    expect(quarter.code).toBe(2);
    expect(quarter.stderr).toMatch(/--from "2026-Q5" is not a quarter: use the form 2026-Q3/);
    const reversed = await h.run(['--tenant', 'acme', '--from', '2027-Q1', '--to', '2026-Q3']).done;
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toMatch(/--from 2027-Q1 is after --to 2026-Q3/);
    const noConfig = await h.run(RANGE, { POOLGUARD_CONFIG: '' }).done;
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toMatch(/set POOLGUARD_CONFIG/);
  });

  it('converges a newly connected tenant, prints progress and a summary, exits 0; a re-run repairs nothing', async () => {
    await h.setPool('CR', Q, 10);
    const keys = {
      A: h.sandbox.createIssue({ project: 'CR', summary: 'SSO for Initech', labels: ['custom-request'], originalEstimate: '3d', dueDate: DUE }).key,
      B: h.sandbox.createIssue({ project: 'CR', summary: 'CSV export for Globex', labels: ['custom-request'], originalEstimate: '4d', dueDate: DUE }).key,
      C: h.sandbox.createIssue({ project: 'CR', summary: 'Custom report for Acme', labels: ['custom-request'], originalEstimate: '5d', dueDate: DUE }).key,
      N: h.sandbox.createIssue({ project: 'CR', summary: 'Not sized yet', labels: ['custom-request'], dueDate: DUE }).key,
    };

    const first = await h.run(RANGE).done;
    expect(first.stderr).toMatch(/acme 2026-Q3\.\.2027-Q1 listing: 4 tickets seen/);
    expect(first.stdout).toMatch(/^Backfill of acme \(Jira\), 2026-Q3\.\.2027-Q1: completed in [\d.]+ s$/m);
    expect(first.stdout).toMatch(/ledger +4 added, 0 updated, 0 deleted/);
    expect(first.stdout).toMatch(/write-backs +4 due, 4 written/);
    expect(first.stdout).toMatch(/errors +none/);
    expect(first.code).toBe(0);

    expect(shown(h, keys.A).label).toBe('pool-ok');
    expect(shown(h, keys.B).label).toBe('pool-ok');
    expect(shown(h, keys.C).label).toBe('pool-over-limit');
    expect(shown(h, keys.N).label).toBe('pool-needs-estimate');
    for (const key of Object.values(keys)) expect(shown(h, key).comments).toHaveLength(1);
    expect(shown(h, keys.A).badge).toEqual({ quarter: Q, scope: 'CR', state: 'ok', usedDays: 7, limitDays: 10, days: 3, rank: 1 });

    const writes = h.sandbox.countWrites();
    const again = await h.run([...RANGE, '--json']).done;
    expect(again.code).toBe(0);
    const { report, writeBacks } = JSON.parse(again.stdout);
    expect(report).toMatchObject({ status: 'completed', trigger: 'backfill', ticketsInRange: 4, writeBacksQueued: 0 });
    expect(report.ledger).toEqual({ added: 0, updated: 0, deleted: 0, excluded: 0, movedOut: 0 });
    expect(writeBacks).toMatchObject({ written: 0, errors: [] });
    expect(h.sandbox.countWrites()).toBe(writes);

    const third = await h.run(RANGE).done;
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/Nothing to repair: the ledger and every ticket already match Jira\./);
  });

  it('stops cleanly on SIGINT, keeps what it did (exit 130), and the next run finishes the job', async () => {
    await h.setPool('OPS', Q, 1000);
    const keys: string[] = [];
    for (let i = 0; i < 150; i++) {
      keys.push(h.sandbox.createIssue({ project: 'OPS', summary: `Request ${i}`, labels: ['custom-request'], originalEstimate: '1d', dueDate: DUE }).key);
    }
    // The second page of the listing hangs (a slow Jira) until the test lets it go.
    h.holdSearchesAfter(1);
    const run = h.run(RANGE);
    await run.waitForStderr(/listing: 100 tickets seen/);
    run.child.kill('SIGINT');
    await run.waitForStderr(/SIGINT: stopping/);
    h.release();
    const stopped = await run.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toMatch(/2026-Q3\.\.2027-Q1: interrupted/);
    expect(stopped.stdout).toMatch(/Interrupted: what was done is kept; run the same command again to finish\./);
    expect(stopped.stdout).toMatch(/ledger +\d+ added/);
    const last = JSON.parse((await h.redis.hget(h.store.keys.tenant('acme').lastSweep(), 'last'))!);
    expect(last).toMatchObject({ status: 'interrupted', trigger: 'backfill' });

    const resumed = await h.run([...RANGE, '--json']).done;
    expect(resumed.code).toBe(0);
    const { report, writeBacks } = JSON.parse(resumed.stdout);
    expect(report.status).toBe('completed');
    expect(report.ledger.added).toBeGreaterThan(0);
    expect(report.ledger.added).toBeLessThan(150);
    expect(writeBacks.errors).toEqual([]);
    for (const key of keys) {
      expect(shown(h, key).label).toBe('pool-ok');
      expect(shown(h, key).comments).toHaveLength(1);
    }

    const after = await h.run(RANGE).done;
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/Nothing to repair/);
  });

  it('waits while another sweep of the tenant runs, and says so when it runs too long (exit 75)', async () => {
    const sweeps = new SweepStore(h.redis, h.store.keys);
    const lease = (await sweeps.acquire('acme', 'worker job 7', 10_000))!;
    const busy = await h.run([...RANGE, '--wait', '1']).done;
    expect(busy.code).toBe(75);
    expect(busy.stderr).toMatch(/Another sweep of acme is running \(worker job 7, since .*\); waiting up to 1 s/);
    expect(busy.stderr).toMatch(/Another sweep of acme is still running \(worker job 7/);

    const waiting = h.run([...RANGE, '--wait', '20']);
    await waiting.waitForStderr(/waiting up to 20 s/);
    await lease.release();
    const done = await waiting.done;
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/completed/);
  });

  it('works beside a running service, on the same ledger', async () => {
    const config = loadConfigFile(h.configPath, { JIRA_API_TOKEN: h.sandbox.users.bot.apiToken });
    const stack = await startStack({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger(), port: 0, host: '127.0.0.1' });
    try {
      const key = h.sandbox.createIssue({ project: 'CR', summary: 'Filed while the service runs', labels: ['custom-request'], originalEstimate: '1d', dueDate: DUE }).key;
      const run = await h.run(RANGE).done;
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/ledger +1 added/);
      expect(shown(h, key).label).toBe('pool-over-limit'); // CR is full (7 of 10 used, 5 waiting)
      expect(shown(h, key).comments).toHaveLength(1);
      // The service reads the same ledger: its pool view has the request.
      const res = await fetch(`http://127.0.0.1:${stack.port}/api/v1/tenants/acme/pools/CR/${Q}`, { headers: { authorization: 'Bearer test-admin-token-0123456789' } });
      const view = (await res.json()) as { requests: Array<{ key: string }> };
      expect(view.requests.map((r) => r.key)).toContain(key);
    } finally {
      await stack.stop();
    }
  });
});
