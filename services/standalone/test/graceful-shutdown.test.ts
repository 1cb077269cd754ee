/**
 * The shipped process (built `npm start` entry with a config file) under SIGTERM: it stops taking
 * webhooks, gives running jobs a bounded time, hands the ones still running back to the queue
 * (nothing lost, no attempt spent, nothing left "active"), and exits 0. Its logs are JSON and
 * never contain a secret.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { IngestStream, QUEUE_NAMES, queuePrefix } from '@pool-guard/shared/queue';
import { eventually, testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { freePort } from '../../../test/redis-server.js';

const MAIN = resolve(process.cwd(), 'services/standalone/dist/src/main.js');
const FIXTURE = readFileSync(resolve(process.cwd(), '../shared/specs/jira/webhooks/jira-issue-created.json'), 'utf8');
const SECRET = 'shutdown-webhook-secret';
const API_TOKEN = 'very-secret-jira-api-token';

describe('SIGTERM on the running service', () => {
  let hole: Server;
  const sockets = new Set<Socket>();
  let child: ChildProcess;
  let output = '';
  let port: number;
  const prefix = uniquePrefix('sigterm');
  let redis: Redis;
  let events: Queue;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: npm test builds it first (npm run build)`);
    hole = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
    const holePort = (hole.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'pg-sigterm-'));
    const configPath = join(dir, 'pool-guard.yml');
    writeFileSync(
      configPath,
      [
        'adminTokens:',
        '  - token: "${ADMIN_TOKEN}"',
        'tenants:',
        '  - id: slow',
        '    tracker: jira',
        `    baseUrl: http://127.0.0.1:${holePort}`,
        '    email: bot@example.com',
        '    apiToken: "${JIRA_API_TOKEN}"',
        `    webhookSecret: ${SECRET}`,
        'worker:',
        '  concurrency: 4',
        '  shutdownTimeoutMs: 1500',
        `redisKeyPrefix: ${prefix}`,
        'reconcile:',
        '  intervalMinutes: 0',
      ].join('\n'),
    );
    port = await freePort();
    child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, POOLGUARD_CONFIG: configPath, REDIS_URL: testRedisUrl(), PORT: String(port), ADMIN_TOKEN: 'shutdown-admin-token-0123456789', JIRA_API_TOKEN: API_TOKEN, LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status === 200, 'the service to be healthy', 20_000);
    redis = new Redis(testRedisUrl());
    events = new Queue(QUEUE_NAMES.events, { connection: redis, prefix: queuePrefix(prefix) });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => hole.close(() => r()));
    await events?.obliterate({ force: true }).catch(() => undefined);
    await events?.close();
    await redis?.quit();
  });

  it('drains, hands hanging jobs back to the queue and exits 0 within its bound', async () => {
    for (let i = 0; i < 3; i++) {
      const body = FIXTURE.replaceAll('"10042"', `"${30000 + i}"`).replaceAll('CR-42', `CR-${700 + i}`);
      const res = await fetch(`http://127.0.0.1:${port}/webhooks/jira/slow`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-atlassian-webhook-identifier': `term-${i}`, 'x-hub-signature': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` },
        body,
      });
      expect(res.status).toBe(202);
    }
    await eventually(async () => (await events.getActiveCount()) > 0, 'a job to be running (waiting on the hanging tracker)');

    const exited = new Promise<{ code: number | null; at: number }>((r) => child.once('exit', (code) => r({ code, at: Date.now() })));
    const sentAt = Date.now();
    child.kill('SIGTERM');
    const { code, at } = await exited;
    if (at - sentAt > 6000) process.stderr.write(output);
    expect(code).toBe(0);
    expect(at - sentAt).toBeLessThan(6_000);

    // Nothing left running, nothing failed, nothing lost, no attempt spent: each event is a job
    // waiting in the queue, or its delivery is back on the ingest stream for the next worker.
    const counts = await events.getJobCounts('active', 'failed', 'waiting', 'delayed', 'completed');
    const deliveries = await new IngestStream(redis, queuePrefix(prefix)).entries();
    expect(counts.active).toBe(0);
    expect(counts.failed).toBe(0);
    expect(counts.waiting! + counts.delayed! + deliveries.length).toBe(3);
    const jobs = await events.getJobs(['waiting', 'delayed']);
    for (const job of jobs) expect(job.attemptsMade).toBe(0);

    // It no longer takes webhooks.
    expect(await fetch(`http://127.0.0.1:${port}/healthz`).then(() => 'answered', () => 'refused')).toBe('refused');
  });

  it('logged JSON lines only, said it stopped, and never printed a secret', () => {
    const lines = output.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(output).toContain('handed running jobs back to the queue');
    expect(output).toContain('"msg":"stopped"');
    for (const secret of [API_TOKEN, SECRET, 'shutdown-admin-token-0123456789']) expect(output).not.toContain(secret);
  });
});
