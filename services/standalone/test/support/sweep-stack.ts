/**
 * Harness for reconcile sweeps: a sandbox Jira on loopback and Pool Guard's full stack on the run's
 * real redis-server (own key prefix), where the Jira admin webhook can be left out or taken away,
 * so that tickets change in Jira without Pool Guard hearing of it. Sweeps run either through the
 * use-case (with the stack's own dependencies) or through the queue and its job scheduler.
 */
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { createJiraSandbox, type JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import { configFileSchema, type ConfigFile } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { eventually, testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { reconcileTenant, type ReconcileInput, type ReconcileOutcome, type WorkerDeps } from '@pool-guard/worker';
import type { SweepReport } from '@pool-guard/shared/store';
import { startStack, type Stack } from '../../src/start-stack.js';
import { ADMIN_TOKEN, JIRA_EVENTS, WEBHOOK_SECRET } from './jira-stack.js';

export { ADMIN_TOKEN, shownOn } from './jira-stack.js';

export interface SweepStackOptions {
  /** Register the Jira admin webhook (default false: Pool Guard hears nothing). */
  webhook?: boolean;
  /** The config's `reconcile` block (default: scheduled sweeps off). */
  reconcile?: Record<string, unknown>;
  /** More admin tokens (`ADMIN_TOKEN`, for all tenants, is always there). */
  adminTokens?: Array<Record<string, unknown>>;
  /** More Jira tenants on the same sandbox (`acme` is always there), e.g. with a wrong API token. */
  tenants?: Array<Record<string, unknown>>;
}

export interface SweepStack {
  sandbox: JiraSandbox;
  stack: Stack;
  config: ConfigFile;
  url: string;
  deps: WorkerDeps;
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
  setPool(scope: string, quarter: string, limitDays: number, warnAtPercent?: number): Promise<void>;
  pool(scope: string, quarter: string): Promise<any>;
  /** One sweep of `acme` through the use-case; fails the test unless it ran. */
  sweep(input?: Partial<ReconcileInput>): Promise<SweepReport>;
  /** The raw use-case outcome (busy, unknown tenant...). */
  reconcile(input?: Partial<ReconcileInput>): Promise<ReconcileOutcome>;
  webhookOn(): void;
  webhookOff(): void;
  /** Deletes a comment the way a Jira admin can (any author's): REST DELETE with the bot's credentials. */
  deleteComment(key: string, commentId: string): Promise<void>;
  /** Waits until no webhook is in flight and no job is waiting, delayed or running. */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startSweepStack(options: SweepStackOptions = {}): Promise<SweepStack> {
  const sandbox = createJiraSandbox({ webhookRetryDelayMs: 50, webhookJitterMs: 5 });
  const sandboxUrl = await sandbox.listen(0);
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
      },
      ...(options.tenants ?? []).map((t) => ({
        tracker: 'jira',
        baseUrl: sandboxUrl,
        email: sandbox.users.bot.email,
        apiToken: sandbox.users.bot.apiToken,
        webhookSecret: WEBHOOK_SECRET,
        ...t,
      })),
    ],
    worker: { concurrency: 8, coalesceMs: 50 },
    reconcile: options.reconcile ?? { intervalMinutes: 0 },
    redisKeyPrefix: uniquePrefix('sweep'),
  });
  const stack = await startStack({
    config,
    redisUrl: testRedisUrl(),
    plugins: { jira: jiraPlugin, linear: linearPlugin },
    logger: silentLogger(),
    port: 0,
    host: '127.0.0.1',
  });
  const url = `http://127.0.0.1:${stack.port}`;
  const { runtime } = stack;
  const deps: WorkerDeps = { ...runtime, coalesceMs: config.worker.coalesceMs, reconcile: config.reconcile };

  let hook: number | null = null;
  const webhookOn = () => {
    if (hook === null) hook = sandbox.registerWebhook({ url: `${url}/webhooks/jira/acme`, secret: WEBHOOK_SECRET, events: JIRA_EVENTS, name: 'Pool Guard' }).id;
  };
  const webhookOff = () => {
    if (hook !== null) sandbox.unregisterWebhook(hook);
    hook = null;
  };
  if (options.webhook) webhookOn();

  const api: SweepStack['api'] = async (method, path, body, token = ADMIN_TOKEN) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  const queueIdle = async () => {
    if ((await runtime.queues.ingest.backlog()) > 0) return false;
    for (const q of [runtime.queues.events, runtime.queues.writeback]) {
      const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      if (Object.values(c).some((n) => n > 0)) return false;
    }
    // The job scheduler always keeps its next sweep delayed: only a sweep waiting or running counts.
    const sweeps = await runtime.queues.reconcile.getJobCounts('waiting', 'active', 'prioritized');
    return Object.values(sweeps).every((n) => n === 0);
  };

  const reconcile: SweepStack['reconcile'] = (input = {}) => reconcileTenant(deps, { tenant: 'acme', trigger: 'admin', ...input });

  return {
    sandbox,
    stack,
    config,
    url,
    deps,
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
    reconcile,
    async sweep(input = {}) {
      const outcome = await reconcile(input);
      if (outcome.kind !== 'swept') throw new Error(`the sweep did not run: ${JSON.stringify(outcome)}`);
      return outcome.report;
    },
    webhookOn,
    webhookOff,
    async deleteComment(key, commentId) {
      const auth = Buffer.from(`${sandbox.users.bot.email}:${sandbox.users.bot.apiToken}`).toString('base64');
      const res = await fetch(`${sandboxUrl}/rest/api/3/issue/${key}/comment/${commentId}`, { method: 'DELETE', headers: { authorization: `Basic ${auth}` } });
      if (res.status !== 204) throw new Error(`DELETE comment answered ${res.status}`);
    },
    async settle(timeoutMs = 20_000) {
      let quiet = 0;
      await eventually(
        async () => {
          await sandbox.idle();
          quiet = (await queueIdle()) ? quiet + 1 : 0;
          return quiet >= 3;
        },
        'webhooks and jobs to settle',
        timeoutMs,
        40,
      );
    },
    async close() {
      await stack.stop();
      await sandbox.close();
    },
  };
}
