/**
 * End-to-end harness: a sandbox Jira on loopback, Pool Guard's full stack (receiver, admin API,
 * worker) on the run's real redis-server with a key prefix of its own, and the sandbox's admin
 * webhook pointing at the receiver, exactly as a Jira admin would set it up.
 */
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { createJiraSandbox, type JiraSandbox, type JiraSandboxOptions } from '@pool-guard/plugin-jira/sandbox';
import { configFileSchema, type ConfigFile } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { eventually, testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { startStack, type Stack } from '../../src/start-stack.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const WEBHOOK_SECRET = 'test-jira-webhook-secret';
export const JIRA_EVENTS = ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted', 'comment_created'];

export interface JiraStack {
  sandbox: JiraSandbox;
  stacks: Stack[];
  config: ConfigFile;
  url: string;
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
  setPool(scope: string, quarter: string, limitDays: number, warnAtPercent?: number): Promise<void>;
  pool(scope: string, quarter: string): Promise<any>;
  /** Waits until no webhook is in flight and no job is waiting, delayed or running. */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface JiraStackOptions {
  /** How many Pool Guard processes (each with receiver and worker) share the Redis (default 1). */
  instances?: number;
  coalesceMs?: number;
  concurrency?: number;
  sandbox?: JiraSandboxOptions;
  tenant?: Record<string, unknown>;
  /** Share a Redis key prefix with an earlier stack (default: a fresh one). */
  redisKeyPrefix?: string;
  /** Use this sandbox instead of starting one (it is not closed by close()). */
  reuseSandbox?: JiraSandbox;
  /** More admin tokens besides ADMIN_TOKEN. */
  adminTokens?: Array<{ token: string; role?: 'admin' | 'viewer'; tenants?: string[] }>;
}

export async function startJiraStack(options: JiraStackOptions = {}): Promise<JiraStack> {
  const sandbox = options.reuseSandbox ?? createJiraSandbox({ webhookRetryDelayMs: 50, webhookJitterMs: 5, ...options.sandbox });
  const sandboxUrl = options.reuseSandbox ? options.reuseSandbox.baseUrl : await sandbox.listen(0);
  const config = configFileSchema.parse({
    adminTokens: [{ token: ADMIN_TOKEN, role: 'admin' }, ...(options.adminTokens ?? [])],
    tenants: [
      {
        id: 'acme',
        tracker: 'jira',
        baseUrl: sandboxUrl,
        email: sandbox.users.bot.email,
        apiToken: sandbox.users.bot.apiToken,
        webhookSecret: WEBHOOK_SECRET,
        ...options.tenant,
      },
    ],
    worker: { concurrency: options.concurrency ?? 8, coalesceMs: options.coalesceMs ?? 50 },
    redisKeyPrefix: options.redisKeyPrefix ?? uniquePrefix('e2e'),
    // No scheduled sweep in the middle of a test that counts writes (sweeps have tests of their own).
    reconcile: { intervalMinutes: 0 },
  });
  const stacks: Stack[] = [];
  for (let i = 0; i < (options.instances ?? 1); i++) {
    stacks.push(
      await startStack({
        config,
        redisUrl: testRedisUrl(),
        plugins: { jira: jiraPlugin, linear: linearPlugin },
        logger: silentLogger(),
        port: 0,
        host: '127.0.0.1',
      }),
    );
  }
  const first = stacks[0]!;
  const url = `http://127.0.0.1:${first.port}`;
  // One admin webhook, to the first instance's receiver; every instance's worker takes jobs.
  const webhook = sandbox.registerWebhook({ url: `${url}/webhooks/jira/acme`, secret: WEBHOOK_SECRET, events: JIRA_EVENTS, name: 'Pool Guard' });

  const api: JiraStack['api'] = async (method, path, body, token = ADMIN_TOKEN) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  const queueIdle = async () => {
    if ((await first.runtime.queues.ingest.backlog()) > 0) return false;
    for (const q of [first.runtime.queues.events, first.runtime.queues.writeback]) {
      const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      if (Object.values(c).some((n) => n > 0)) return false;
    }
    return true;
  };

  return {
    sandbox,
    stacks,
    config,
    url,
    api,
    async setPool(scope, quarter, limitDays, warnAtPercent = 80) {
      const res = await api('PUT', `/api/v1/tenants/acme/pools/${scope}/${quarter}`, { limitDays, warnAtPercent });
      if (res.status !== 200) throw new Error(`PUT pool answered ${res.status}: ${JSON.stringify(res.body)}`);
    },
    async pool(scope, quarter) {
      const res = await api('GET', `/api/v1/tenants/acme/pools/${scope}/${quarter}`);
      if (res.status !== 200) throw new Error(`GET pool answered ${res.status}`);
      return res.body;
    },
    async settle(timeoutMs = 20_000) {
      let quietRounds = 0;
      await eventually(
        async () => {
          await sandbox.idle();
          quietRounds = (await queueIdle()) ? quietRounds + 1 : 0;
          return quietRounds >= 3;
        },
        'webhooks and jobs to settle',
        timeoutMs,
        40,
      );
    },
    async close() {
      sandbox.unregisterWebhook(webhook.id);
      for (const s of stacks) await s.stop();
      if (!options.reuseSandbox) await sandbox.close();
    },
  };
}

/** What Pool Guard shows on one sandbox ticket. */
export function shownOn(sandbox: JiraSandbox, key: string) {
  const issue = sandbox.issue(key);
  if (!issue) throw new Error(`no issue ${key}`);
  const poolLabels = issue.labels.filter((l) => l.startsWith('pool-'));
  const botComments = issue.comments.filter((c) => c.authorId === sandbox.users.bot.accountId);
  return {
    issue,
    poolLabels,
    label: poolLabels.length === 1 ? poolLabels[0] : poolLabels.length === 0 ? null : `AMBIGUOUS:${poolLabels.join(',')}`,
    comments: botComments,
    comment: botComments[0]?.text ?? null,
    badge: issue.properties['pool-guard'] as Record<string, unknown> | undefined,
  };
}

