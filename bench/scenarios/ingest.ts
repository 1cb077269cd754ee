/**
 * 1. Ingest: signed Jira and Linear webhooks per second through the receiver alone (no worker),
 * against a bare express route that only reads the body and answers 202, in the same run. The
 * load comes from another process (autocannon); each request carries a new delivery id, so every
 * one is verified, deduplicated and made durable on the queue. Rounds alternate between the three
 * servers so that a change of machine load during the run hits all of them alike.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createJiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import { createLinearSandbox } from '@pool-guard/plugin-linear/sandbox';
import { IngestStream, queuePrefix } from '@pool-guard/shared/queue';
import { freePort } from '../../test/redis-server.js';
import type { LoadResult, LoadSpec } from '../children/load.js';
import { processCpuMicros, startTs, waitForHealthy, type Child } from '../support/processes.js';
import { JIRA_SECRET, JIRA_TENANT, LINEAR_SECRET, LINEAR_TENANT, startReceiver, writeBenchConfig } from '../support/services.js';
import { median } from '../support/stats.js';

export interface IngestOptions {
  redisUrl: string;
  redisPid: number;
  durationSec: number;
  rounds: number;
  connections: number;
  /** Seconds of unmeasured load on each server first (JIT warm-up); 0 = none. */
  warmUpSec: number;
  /** node flags for the receiver (e.g. --cpu-prof). */
  receiverNodeArgs?: string[];
  /** Measure the ack latency at this rate for all three servers instead of half of each maximum. */
  ackRate?: number;
}

export interface IngestResult {
  /** CPU time per answered request (median over rounds), microseconds: each server, and redis-server. */
  cpuUsPerRequest: { bare: number; jira: number; linear: number; jiraRedis: number; linearRedis: number };
  connections: number;
  /** Measured runs per server (each may end with up to `connections` requests cut off). */
  runs: number;
  bare: { perSec: number; rounds: number[] };
  jira: { perSec: number; rounds: number[]; ratio: number; queued: number; answered: number };
  linear: { perSec: number; rounds: number[]; ratio: number; queued: number; answered: number };
  halfRate: {
    /** True when measured at the rate `--ack-rate` asked for, not at half the maximum (an experiment: no target). */
    fixedRate: boolean;
    jira: { rate: number; p50: number; p99: number };
    linear: { rate: number; p50: number; p99: number };
    /** The bare express route at the Jira rate, same pacing: what the machine and the load generator add. */
    bare: { rate: number; p50: number; p99: number };
  };
}

interface Captured {
  headers: Record<string, string>;
  body: string;
}

/** Real webhook bodies as the sandboxes send them: an estimate change in Jira and in Linear. */
async function captureBodies(): Promise<{ jira: Captured; linear: Captured }> {
  const seen: Captured[] = [];
  const sink = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;
  const jira = createJiraSandbox({ baseUrl: 'http://127.0.0.1:9', webhookJitterMs: 0 });
  jira.registerWebhook({ url: sinkUrl, secret: JIRA_SECRET, events: ['jira:issue_updated'] });
  const issue = jira.createIssue({ project: 'CR', summary: 'SSO for Initech', labels: ['custom-request', 'sales'], originalEstimate: '3d', dueDate: '2026-11-20' });
  jira.editIssue(issue.key, { originalEstimate: '4d' });
  await jira.idle();
  const linear = createLinearSandbox();
  await linear.listen();
  linear.registerWebhook({ url: sinkUrl, secret: LINEAR_SECRET, resourceTypes: ['Issue'] });
  const created = await linear.createIssue({ team: 'ENG', title: 'SSO for Initech', labels: ['custom-request'], estimate: 3, dueDate: '2026-11-20' });
  await linear.graphql('mutation($id: String!) { issueUpdate(id: $id, input: { estimate: 5 }) { success } }', { id: created.id });
  await linear.idle();
  await jira.close();
  await linear.close();
  await new Promise<void>((r) => sink.close(() => r()));
  const jiraBody = seen.find((s) => s.headers['x-hub-signature']);
  const linearBodies = seen.filter((s) => s.headers['linear-signature']);
  const linearBody = linearBodies[linearBodies.length - 1];
  if (!jiraBody || !linearBody) throw new Error('bench: the sandboxes sent no webhook to capture');
  return { jira: jiraBody, linear: linearBody };
}

type Request = Pick<LoadSpec, 'headers' | 'body' | 'idHeader'> & { linearSecret?: string };

function jiraRequest(c: Captured): Request {
  const signature = `sha256=${createHmac('sha256', JIRA_SECRET).update(c.body).digest('hex')}`;
  return {
    headers: { 'content-type': 'application/json', 'x-hub-signature': signature, 'x-atlassian-webhook-flow': 'Primary' },
    body: c.body,
    idHeader: 'x-atlassian-webhook-identifier',
  };
}

/** Linear refuses bodies signed more than 60 s ago: the load generator signs each run afresh. */
function linearRequest(c: Captured): Request {
  return {
    headers: { 'content-type': 'application/json; charset=utf-8', 'linear-event': 'Issue', 'user-agent': 'Linear-Webhook' },
    body: c.body,
    idHeader: 'linear-delivery',
    linearSecret: LINEAR_SECRET,
  };
}

let runCount = 0;

interface MeasuredLoad extends LoadResult {
  /** CPU time of the server process per answered request, in microseconds. */
  serverCpuUsPerReq: number;
  /** CPU time of redis-server per answered request, in microseconds. */
  redisCpuUsPerReq: number;
}

/**
 * Runs the listed loads one after another in one load-generator process; `servers[i]` is the
 * process that answers load i (its CPU time per request is measured, and redis-server's).
 */
async function load(specs: Omit<LoadSpec, 'idPrefix'>[], servers: Child[], redisPid: number): Promise<MeasuredLoad[]> {
  const out: MeasuredLoad[] = [];
  const stamp = Date.now();
  let cpu0 = 0;
  let redis0 = 0;
  const child = startTs('bench/children/load.ts', {
    name: 'autocannon',
    args: [JSON.stringify(specs.map((spec) => ({ ...spec, idPrefix: `run${++runCount}-${stamp}` })))],
    onLine: (l) => {
      const server = servers[out.length]!;
      if (l === 'start') {
        cpu0 = server.cpuMicros();
        redis0 = processCpuMicros(redisPid);
      } else if (l.startsWith('{')) {
        const r = JSON.parse(l) as LoadResult;
        const answered = Math.max(1, r.ok2xx);
        out.push({ ...r, serverCpuUsPerReq: (server.cpuMicros() - cpu0) / answered, redisCpuUsPerReq: (processCpuMicros(redisPid) - redis0) / answered });
      }
    },
  });
  const code = await child.exited();
  if (code !== 0 || out.length !== specs.length) throw new Error(`bench: the load generator failed (${code}): ${child.stderr()}`);
  return out;
}

export async function runIngest(options: IngestOptions, log: (s: string) => void): Promise<IngestResult> {
  const bodies = await captureBodies();
  const config = writeBenchConfig({
    redisKeyPrefix: 'bench-ingest',
    jira: { baseUrl: 'http://127.0.0.1:9', email: 'bot@example.com', apiToken: 'unused' },
    linear: { apiUrl: 'http://127.0.0.1:9/graphql', apiKey: 'lin_api_unused' },
  });
  const redis = new Redis(options.redisUrl);
  const barePort = await freePort();
  const bare = startTs('bench/children/bare-express.ts', { name: 'bare express', env: { PORT: String(barePort) } });
  const receiver = await startReceiver(config, options.redisUrl, options.receiverNodeArgs ? { nodeArgs: options.receiverNodeArgs } : {});
  try {
    await waitForHealthy(bare, `http://127.0.0.1:${barePort}/healthz`);
    const common = { connections: options.connections, durationSec: options.durationSec };
    const bareRun = { ...common, url: `http://127.0.0.1:${barePort}`, path: `/webhooks/jira/${JIRA_TENANT}`, ...jiraRequest(bodies.jira) };
    const jiraRun = { ...common, url: receiver.url, path: `/webhooks/jira/${JIRA_TENANT}`, ...jiraRequest(bodies.jira) };
    const linearRun = { ...common, url: receiver.url, path: `/webhooks/linear/${LINEAR_TENANT}`, ...linearRequest(bodies.linear) };
    // Unmeasured load on each server first, so the JIT has compiled what it will run; then rounds
    // that alternate between the three servers.
    const warm = options.warmUpSec > 0 ? [bareRun, jiraRun, linearRun].map((r) => ({ ...r, durationSec: options.warmUpSec })) : [];
    const measured = Array.from({ length: options.rounds }, () => [bareRun, jiraRun, linearRun]).flat();
    const servers = [...warm, ...measured].map((r) => (r === bareRun || r.url === bareRun.url ? bare : receiver.child));
    const results = (await load([...warm, ...measured], servers, options.redisPid)).slice(warm.length);
    const cpu = { bare: [] as number[], jira: [] as number[], linear: [] as number[], jiraRedis: [] as number[], linearRedis: [] as number[] };
    const rounds = { bare: [] as number[], jira: [] as number[], linear: [] as number[] };
    let jiraAnswered = 0;
    let linearAnswered = 0;
    for (let r = 0; r < options.rounds; r++) {
      const [b, j, l] = results.slice(r * 3, r * 3 + 3) as [MeasuredLoad, MeasuredLoad, MeasuredLoad];
      cpu.bare.push(b.serverCpuUsPerReq);
      cpu.jira.push(j.serverCpuUsPerReq);
      cpu.linear.push(l.serverCpuUsPerReq);
      cpu.jiraRedis.push(j.redisCpuUsPerReq);
      cpu.linearRedis.push(l.redisCpuUsPerReq);
      rounds.bare.push(b.requestsPerSec);
      rounds.jira.push(j.requestsPerSec);
      rounds.linear.push(l.requestsPerSec);
      jiraAnswered += j.ok2xx;
      linearAnswered += l.ok2xx;
      for (const [name, res] of [['bare', b], ['jira', j], ['linear', l]] as const) {
        if (res.non2xx > 0 || res.errors > 0) log(`  ingest: ${name} had ${res.non2xx} non-2xx answers and ${res.errors} errors`);
      }
      log(
        `  ingest round ${r + 1}: bare ${b.requestsPerSec.toFixed(0)}/s (${b.serverCpuUsPerReq.toFixed(0)} µs CPU each), ` +
          `jira ${j.requestsPerSec.toFixed(0)}/s (${j.serverCpuUsPerReq.toFixed(0)} µs + redis ${j.redisCpuUsPerReq.toFixed(0)} µs), ` +
          `linear ${l.requestsPerSec.toFixed(0)}/s (${l.serverCpuUsPerReq.toFixed(0)} µs + redis ${l.redisCpuUsPerReq.toFixed(0)} µs)`,
      );
    }
    // Every 2xx must be a delivery on the ingest stream: count them before the latency runs.
    const jobs = async (): Promise<{ jira: number; linear: number }> => {
      const counts = { jira: 0, linear: 0 };
      for (const { entry } of await new IngestStream(redis, queuePrefix('bench-ingest')).entries(10_000_000)) {
        if (entry?.tenant === JIRA_TENANT) counts.jira++;
        else if (entry?.tenant === LINEAR_TENANT) counts.linear++;
      }
      return counts;
    };
    const queued = await jobs();
    const bareMedian = median(rounds.bare);
    const jiraMedian = median(rounds.jira);
    const linearMedian = median(rounds.linear);
    await redis.flushdb();
    // Ack latency at half the maximum rate (or at the rate asked for, to compare runs).
    const jiraRate = options.ackRate ?? Math.max(1, Math.floor(jiraMedian / 2));
    const linearRate = options.ackRate ?? Math.max(1, Math.floor(linearMedian / 2));
    const [bh, jh, lh] = (await load(
      [
        { ...bareRun, overallRate: jiraRate, paced: true },
        { ...jiraRun, overallRate: jiraRate, paced: true },
        { ...linearRun, overallRate: linearRate, paced: true },
      ],
      [bare, receiver.child, receiver.child],
      options.redisPid,
    )) as [MeasuredLoad, MeasuredLoad, MeasuredLoad];
    log(
      `  ingest at ${options.ackRate ? 'a fixed rate' : 'half rate'} (evenly paced): bare express ${jiraRate}/s p50 ${bh.latencyMs.p50.toFixed(1)} ms p99 ${bh.latencyMs.p99.toFixed(1)} ms, ` +
        `jira ${jiraRate}/s p50 ${jh.latencyMs.p50.toFixed(1)} ms p99 ${jh.latencyMs.p99.toFixed(1)} ms, linear ${linearRate}/s p50 ${lh.latencyMs.p50.toFixed(1)} ms p99 ${lh.latencyMs.p99.toFixed(1)} ms`,
    );
    await redis.flushdb();
    return {
      cpuUsPerRequest: {
        bare: median(cpu.bare),
        jira: median(cpu.jira),
        linear: median(cpu.linear),
        jiraRedis: median(cpu.jiraRedis),
        linearRedis: median(cpu.linearRedis),
      },
      connections: options.connections,
      runs: options.rounds,
      bare: { perSec: bareMedian, rounds: rounds.bare },
      jira: { perSec: jiraMedian, rounds: rounds.jira, ratio: jiraMedian / bareMedian, queued: queued.jira, answered: jiraAnswered },
      linear: { perSec: linearMedian, rounds: rounds.linear, ratio: linearMedian / bareMedian, queued: queued.linear, answered: linearAnswered },
      halfRate: {
        fixedRate: options.ackRate !== undefined,
        jira: { rate: jiraRate, p50: jh.latencyMs.p50, p99: jh.latencyMs.p99 },
        linear: { rate: linearRate, p50: lh.latencyMs.p50, p99: lh.latencyMs.p99 },
        bare: { rate: jiraRate, p50: bh.latencyMs.p50, p99: bh.latencyMs.p99 },
      },
    };
  } finally {
    await receiver.child.stop();
    await bare.stop();
    redis.disconnect();
  }
}
