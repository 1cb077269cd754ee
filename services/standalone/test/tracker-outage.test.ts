/**
 * One tenant's tracker hangs; another's is healthy. The healthy tenant's tickets still get their
 * pool labels promptly: the hanging tenant's jobs are capped per process and paused with backoff.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createJiraPlugin } from '@pool-guard/plugin-jira';
import { createJiraSandbox, type JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { eventually, testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { startStack, type Stack } from '../src/start-stack.js';
import { JIRA_EVENTS, shownOn } from './support/jira-stack.js';

const FIXTURE = readFileSync(resolve(process.cwd(), '../shared/specs/jira/webhooks/jira-issue-created.json'), 'utf8');

/** Accepts connections and never answers: a tracker that hangs. */
async function startBlackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('a tracker outage stays with its tenant', () => {
  let sandbox: JiraSandbox;
  let blackHole: Awaited<ReturnType<typeof startBlackHole>>;
  let stack: Stack;

  beforeAll(async () => {
    sandbox = createJiraSandbox({ webhookRetryDelayMs: 50, webhookJitterMs: 0 });
    const sandboxUrl = await sandbox.listen(0);
    blackHole = await startBlackHole();
    const config = configFileSchema.parse({
      adminTokens: [{ token: 'outage-admin-token-0123456789' }],
      tenants: [
        { id: 'good', tracker: 'jira', baseUrl: sandboxUrl, email: sandbox.users.bot.email, apiToken: sandbox.users.bot.apiToken, webhookSecret: 'good-secret' },
        { id: 'hanging', tracker: 'jira', baseUrl: blackHole.url, email: 'bot@example.com', apiToken: 'x', webhookSecret: 'hanging-secret' },
      ],
      worker: { concurrency: 4, coalesceMs: 20 },
      redisKeyPrefix: uniquePrefix('outage'),
      reconcile: { intervalMinutes: 0 },
    });
    stack = await startStack({
      config,
      redisUrl: testRedisUrl(),
      plugins: { jira: createJiraPlugin({ requestTimeoutMs: 1500 }), linear: linearPlugin },
      logger: silentLogger(),
      port: 0,
      host: '127.0.0.1',
    });
    sandbox.registerWebhook({ url: `http://127.0.0.1:${stack.port}/webhooks/jira/good`, secret: 'good-secret', events: JIRA_EVENTS });
  });
  afterAll(async () => {
    await stack?.stop();
    await blackHole?.close();
    await sandbox?.close();
  });

  it('labels the healthy tenant while the other hangs, and pauses the hanging one', async () => {
    // A burst for the hanging tenant first: every job would wait for its tracker.
    for (let i = 0; i < 24; i++) {
      const body = FIXTURE.replaceAll('"10042"', `"${20000 + i}"`).replaceAll('CR-42', `CR-${500 + i}`);
      const res = await fetch(`http://127.0.0.1:${stack.port}/webhooks/jira/hanging`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-atlassian-webhook-identifier': `hang-${i}`,
          'x-hub-signature': `sha256=${createHmac('sha256', 'hanging-secret').update(body).digest('hex')}`,
        },
        body,
      });
      expect(res.status).toBe(202);
    }
    const started = Date.now();
    const keys = [1, 2, 3].map((i) =>
      sandbox.createIssue({ project: 'CR', summary: `Healthy ${i}`, labels: ['custom-request'], originalEstimate: '1d', dueDate: '2026-11-11' }).key,
    );
    await eventually(() => keys.every((k) => shownOn(sandbox, k).label === 'pool-no-limit'), 'the healthy tenant to be labelled', 12_000);
    const tookMs = Date.now() - started;
    // Each hanging call costs 1.5 s; without the per-tenant cap the healthy tenant would queue behind them.
    expect(tookMs).toBeLessThan(8_000);
    await eventually(async () => (await stack.runtime.throttle.pausedUntil('hanging')) > 0, 'the hanging tenant to be paused', 15_000);
    // Its events are kept for later, not dropped.
    const counts = await stack.runtime.queues.events.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    expect(counts.waiting! + counts.delayed! + counts.active! + counts.prioritized!).toBeGreaterThan(0);
  });
});
