/**
 * Scale-out on Redis Cluster: a 3-master cluster on loopback, two receivers behind a round-robin
 * load balancer, two workers and an admin API, each a separate process of the built services.
 * The core end-to-end scenario, then a short soak, must give exactly what the pure domain says.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { Cluster } from 'ioredis';
import { createJiraSandbox, type JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import { IngestStream, QUEUE_NAMES, queuePrefix } from '@pool-guard/shared/queue';
import { eventually } from '@pool-guard/shared/testing';
import { freePort, startRedisServer, type RedisServerHandle } from '../../../test/redis-server.js';
import { differences, groundTruth } from './support/ground-truth.js';
import { JIRA_EVENTS, shownOn } from './support/jira-stack.js';
import { startService, type ServiceProcess } from './support/processes.js';
import { startRoundRobinProxy } from './support/round-robin-proxy.js';

const ADMIN = 'cluster-admin-token-0123456789';
const SECRET = 'cluster-webhook-secret';
const PREFIX = 'pgc';

describe('Pool Guard on a 3-master Redis Cluster, 2 receivers + 2 workers as processes', () => {
  const nodes: RedisServerHandle[] = [];
  const services: ServiceProcess[] = [];
  let dir: string;
  let sandbox: JiraSandbox;
  let proxy: Awaited<ReturnType<typeof startRoundRobinProxy>>;
  let cluster: Cluster;
  let queues: Queue[];
  let adminUrl: string;
  const limits = new Map<string, number>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pg-cluster-'));
    for (let i = 0; i < 3; i++) {
      const nodeDir = join(dir, `node-${i}`);
      spawnSync('mkdir', ['-p', nodeDir]);
      nodes.push(await startRedisServer({ dir: nodeDir, args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000', '--appendonly', 'yes'] }));
    }
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed (is redis-tools installed?): ${create.stdout}${create.stderr}`);
    await eventually(() => nodes.every((n) => /cluster_state:ok/.test(spawnSync('redis-cli', ['-p', String(n.port), 'cluster', 'info'], { encoding: 'utf8' }).stdout)), 'the cluster to be ok', 20_000, 100);

    sandbox = createJiraSandbox({ webhookRetryDelayMs: 50, webhookJitterMs: 5 });
    const jiraUrl = await sandbox.listen(0);
    const configPath = join(dir, 'pool-guard.yml');
    writeFileSync(configPath, [
      'adminTokens:',
      `  - token: ${ADMIN}`,
      'tenants:',
      '  - id: acme',
      '    tracker: jira',
      `    baseUrl: ${jiraUrl}`,
      `    email: ${sandbox.users.bot.email}`,
      `    apiToken: ${sandbox.users.bot.apiToken}`,
      `    webhookSecret: ${SECRET}`,
      'worker:',
      '  concurrency: 8',
      '  coalesceMs: 50',
      `redisKeyPrefix: ${PREFIX}`,
      'reconcile:',
      '  intervalMinutes: 0',
    ].join('\n'));
    const env = { POOLGUARD_CONFIG: configPath, REDIS_URL: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}` };
    const receivers = [await startService('receiver', await freePort(), env), await startService('receiver', await freePort(), env)];
    const workers = [await startService('worker', await freePort(), env), await startService('worker', await freePort(), env)];
    const admin = await startService('admin', await freePort(), env);
    services.push(...receivers, ...workers, admin);
    adminUrl = `http://127.0.0.1:${admin.port}`;
    proxy = await startRoundRobinProxy(receivers.map((r) => r.port));
    sandbox.registerWebhook({ url: `http://127.0.0.1:${proxy.port}/webhooks/jira/acme`, secret: SECRET, events: JIRA_EVENTS });

    cluster = new Cluster(nodes.map((n) => ({ host: '127.0.0.1', port: n.port })), { redisOptions: { maxRetriesPerRequest: null } });
    queues = [QUEUE_NAMES.events, QUEUE_NAMES.writeback].map((name) => new Queue(name, { connection: cluster, prefix: queuePrefix(PREFIX) }));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(queues?.map((q) => q.close()) ?? []);
    await cluster?.quit().catch(() => undefined);
    const codes = await Promise.all(services.map((s) => s.stop()));
    for (const [i, code] of codes.entries()) if (code !== 0) process.stderr.write(`${services[i]!.name} exited ${code}:\n${services[i]!.output()}\n`);
    await proxy?.close();
    await sandbox?.close();
    for (const n of nodes) await n.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function setPool(scope: string, quarter: string, limitDays: number) {
    const res = await fetch(`${adminUrl}/api/v1/tenants/acme/pools/${scope}/${quarter}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ limitDays }),
    });
    expect(res.status).toBe(200);
    limits.set(`${scope}/${quarter}`, limitDays);
  }

  async function settle(timeoutMs = 30_000) {
    let quiet = 0;
    await eventually(async () => {
      await sandbox.idle();
      const counts = await Promise.all(queues.map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')));
      const deliveries = await new IngestStream(cluster, queuePrefix(PREFIX)).backlog();
      quiet = deliveries === 0 && counts.every((c) => Object.values(c).every((n) => n === 0)) ? quiet + 1 : 0;
      return quiet >= 3;
    }, 'the cluster deployment to settle', timeoutMs, 50);
  }

  it('spreads Pool Guard keys over the cluster nodes (tenant and queue hash tags)', async () => {
    await setPool('CR', '2026-Q4', 10);
    sandbox.createIssue({ project: 'CR', summary: 'Spread', labels: ['custom-request'], originalEstimate: '1d', dueDate: '2026-11-02' });
    await settle();
    const perNode = nodes.map((n) => Number(spawnSync('redis-cli', ['-p', String(n.port), 'dbsize'], { encoding: 'utf8' }).stdout.trim()));
    expect(perNode.filter((count) => count > 0).length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('runs the core scenario: admission in rank order, estimate change, delete', async () => {
    const a = sandbox.createIssue({ project: 'CR', summary: 'A', labels: ['custom-request'], originalEstimate: '4d', dueDate: '2026-11-03' }).key;
    const b = sandbox.createIssue({ project: 'CR', summary: 'B', labels: ['custom-request'], originalEstimate: '4d', dueDate: '2026-11-04' }).key;
    const c = sandbox.createIssue({ project: 'CR', summary: 'C', labels: ['custom-request'], originalEstimate: '3d', dueDate: '2026-11-05' }).key;
    await settle();
    expect(shownOn(sandbox, a).label).toBe('pool-near-limit'); // 1 + 4 + 4 = 9 of 10
    expect(shownOn(sandbox, c).label).toBe('pool-over-limit');
    sandbox.editIssue(b, { originalEstimate: '1d' });
    await settle();
    expect(shownOn(sandbox, c).label).toBe('pool-near-limit'); // 1 + 4 + 1 + 3 = 9
    sandbox.deleteIssue(a);
    await settle();
    expect(shownOn(sandbox, c).badge).toMatchObject({ usedDays: 5, state: 'ok' });
    expect(differences(sandbox, groundTruth(sandbox, limits), sandbox.users.bot.accountId)).toEqual([]);
  }, 60_000);

  it('converges after a short soak of random edits over many tickets', async () => {
    await setPool('OPS', '2026-Q4', 12);
    await setPool('CR', '2027-Q1', 6);
    const rnd = mulberry32(42);
    const keys: string[] = [];
    for (let i = 0; i < 30; i++) {
      keys.push(sandbox.createIssue({
        project: i % 2 ? 'OPS' : 'CR',
        summary: `Soak ${i}`,
        labels: rnd() < 0.8 ? ['custom-request'] : ['other'],
        originalEstimate: `${1 + Math.floor(rnd() * 4)}d`,
        dueDate: rnd() < 0.5 ? '2026-12-01' : '2027-02-01',
      }).key);
    }
    let edits = 0;
    for (let i = 0; i < 150; i++) {
      const key = keys[Math.floor(rnd() * keys.length)]!;
      const roll = rnd();
      if (roll < 0.4) sandbox.editIssue(key, { originalEstimate: `${1 + Math.floor(rnd() * 5)}d` });
      else if (roll < 0.55) sandbox.rankIssue(key, { before: keys[Math.floor(rnd() * keys.length)] === key ? keys[0]! : keys[Math.floor(rnd() * keys.length)]! });
      else if (roll < 0.7) sandbox.editIssue(key, { labels: rnd() < 0.5 ? { add: ['custom-request'] } : { remove: ['custom-request'] } });
      else if (roll < 0.8) sandbox.editIssue(key, { dueDate: rnd() < 0.5 ? '2026-12-15' : '2027-01-20' });
      else if (roll < 0.9) sandbox.transitionIssue(key, rnd() < 0.5 ? 'In Progress' : 'To Do');
      else sandbox.editIssue(key, { summary: `Soak edit ${i}` });
      edits++;
      if (i % 25 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    await settle(60_000);
    const diffs = differences(sandbox, groundTruth(sandbox, limits), sandbox.users.bot.accountId);
    process.stdout.write(`cluster soak: 30 tickets, ${edits} edits, ${sandbox.deliveries.length} webhook deliveries, differences: ${diffs.length}\n`);
    expect(diffs).toEqual([]);
  }, 120_000);
});

/** A small seeded PRNG, so a failing soak can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
