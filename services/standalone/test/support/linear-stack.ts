/**
 * End-to-end harness for Linear: a sandbox Linear on loopback, Pool Guard's full stack (receiver,
 * admin API, worker) on the run's real redis-server with a key prefix of its own, and a Linear
 * webhook (Issue, Comment, IssueLabel) pointing at the receiver, as a workspace admin sets it up.
 * The sales rep drives Linear through the real @linear/sdk client with their own API key.
 *
 * With `jira: true` the same Pool Guard also serves a Jira tenant (`acme`) on a sandbox Jira:
 * one stack, both trackers side by side.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { LinearClient } from '@linear/sdk';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { createJiraSandbox, type JiraSandbox, type JiraSandboxOptions } from '@pool-guard/plugin-jira/sandbox';
import { DEFAULT_BADGE_URL_BASE, linearPlugin } from '@pool-guard/plugin-linear';
import {
  createLinearSandbox,
  SANDBOX_SEED,
  type LinearSandbox,
  type LinearSandboxOptions,
  type SandboxIssueView,
} from '@pool-guard/plugin-linear/sandbox';
import { configFileSchema, type ConfigFile } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { eventually, testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { startStack, type Stack } from '../../src/start-stack.js';
import { ADMIN_TOKEN, JIRA_EVENTS, WEBHOOK_SECRET as JIRA_WEBHOOK_SECRET } from './jira-stack.js';

export { ADMIN_TOKEN } from './jira-stack.js';
export const LINEAR_TENANT = 'initech';
export const JIRA_TENANT = 'acme';
export const LINEAR_WEBHOOK_SECRET = 'test-linear-webhook-secret';
/** What README tells a Linear admin to subscribe to. */
export const LINEAR_RESOURCE_TYPES = ['Issue', 'Comment', 'IssueLabel'];

type WorkflowStateType = SandboxIssueView['state']['type'];

export interface ApiAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A sales rep working in Linear with the real SDK and their own API key. */
export interface SalesRep {
  readonly client: LinearClient;
  /** Files an issue in a team (labels by name); resolves to its identifier and id. */
  file(input: {
    team: string;
    title: string;
    labels?: string[];
    estimate?: number | null;
    dueDate?: string | null;
    state?: WorkflowStateType;
  }): Promise<{ id: string; identifier: string }>;
  update(identifier: string, input: Record<string, unknown>): Promise<void>;
  /** Moves an issue to the team's first state of that type. */
  moveTo(identifier: string, state: WorkflowStateType): Promise<void>;
  removeLabel(identifier: string, label: string): Promise<void>;
  addLabel(identifier: string, label: string): Promise<void>;
  comment(identifier: string, body: string): Promise<void>;
  /** Linear's "Delete": the issue goes to the trash (webhook `remove`). */
  trash(identifier: string): Promise<void>;
  /** Archives the issue (webhook `update` with `archivedAt`). */
  archive(identifier: string): Promise<void>;
}

export interface LinearStack {
  linear: LinearSandbox;
  /** The sandbox Jira when started with `jira`, else null. */
  jira: JiraSandbox | null;
  stacks: Stack[];
  config: ConfigFile;
  /** Pool Guard's base URL (the first instance). */
  url: string;
  /** The sandbox's GraphQL endpoint. */
  apiUrl: string;
  sales: SalesRep;
  api(method: string, path: string, body?: unknown, token?: string): Promise<ApiAnswer>;
  setPool(scope: string, quarter: string, limitDays: number, warnAtPercent?: number, tenant?: string): Promise<void>;
  pool(scope: string, quarter: string, tenant?: string): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Posts a body to the Linear webhook route, signed as Linear signs it (fresh timestamp unless given). */
  postLinearWebhook(body: Record<string, unknown>, options?: { deliveryId?: string; raw?: string }): Promise<ApiAnswer>;
  /** Mutations the Pool Guard user sent to Linear (optionally since an instant). */
  botWrites(since?: number): number;
  /** Waits until no webhook is in flight and no job is waiting, delayed or running. */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface LinearStackOptions {
  /** How many Pool Guard processes (each with receiver and worker) share the Redis (default 1). */
  instances?: number;
  coalesceMs?: number;
  concurrency?: number;
  sandbox?: LinearSandboxOptions;
  /** Overrides of the Linear tenant's config. */
  tenant?: Record<string, unknown>;
  /** Also serve a Jira tenant `acme` on a sandbox Jira from the same stack. */
  jira?: boolean | JiraSandboxOptions;
}

export async function startLinearStack(options: LinearStackOptions = {}): Promise<LinearStack> {
  const linear = createLinearSandbox({ webhookRetryDelaysMs: [50, 200], ...options.sandbox });
  const apiUrl = await linear.listen();
  const jira = options.jira
    ? createJiraSandbox({ webhookRetryDelayMs: 50, webhookJitterMs: 5, ...(typeof options.jira === 'object' ? options.jira : {}) })
    : null;
  const jiraUrl = jira ? await jira.listen(0) : null;

  const config = configFileSchema.parse({
    adminTokens: [{ token: ADMIN_TOKEN, role: 'admin' }],
    tenants: [
      {
        id: LINEAR_TENANT,
        tracker: 'linear',
        apiKey: SANDBOX_SEED.botApiKey,
        apiUrl,
        webhookSecret: LINEAR_WEBHOOK_SECRET,
        ...options.tenant,
      },
      ...(jira && jiraUrl
        ? [
            {
              id: JIRA_TENANT,
              tracker: 'jira',
              baseUrl: jiraUrl,
              email: jira.users.bot.email,
              apiToken: jira.users.bot.apiToken,
              webhookSecret: JIRA_WEBHOOK_SECRET,
            },
          ]
        : []),
    ],
    worker: { concurrency: options.concurrency ?? 8, coalesceMs: options.coalesceMs ?? 50 },
    redisKeyPrefix: uniquePrefix('e2e-linear'),
    // No scheduled sweep in the middle of a test that counts writes (sweeps have tests of their own).
    reconcile: { intervalMinutes: 0 },
  });

  const stacks: Stack[] = [];
  try {
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
  } catch (err) {
    for (const s of stacks) await s.stop();
    await linear.close();
    await jira?.close();
    throw err;
  }
  const first = stacks[0]!;
  const url = `http://127.0.0.1:${first.port}`;
  // One webhook per tracker, to the first instance's receiver; every instance's worker takes jobs.
  linear.registerWebhook({ url: `${url}/webhooks/linear/${LINEAR_TENANT}`, secret: LINEAR_WEBHOOK_SECRET, resourceTypes: LINEAR_RESOURCE_TYPES });
  jira?.registerWebhook({ url: `${url}/webhooks/jira/${JIRA_TENANT}`, secret: JIRA_WEBHOOK_SECRET, events: JIRA_EVENTS, name: 'Pool Guard' });

  const api: LinearStack['api'] = async (method, path, body, token = ADMIN_TOKEN) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  const queueIdle = async (): Promise<boolean> => {
    if ((await first.runtime.queues.ingest.backlog()) > 0) return false;
    for (const q of [first.runtime.queues.events, first.runtime.queues.writeback]) {
      const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      if (Object.values(c).some((n) => n > 0)) return false;
    }
    return true;
  };

  return {
    linear,
    jira,
    stacks,
    config,
    url,
    apiUrl,
    sales: salesRep(linear, new LinearClient({ apiKey: SANDBOX_SEED.salesApiKey, apiUrl })),
    api,
    async setPool(scope, quarter, limitDays, warnAtPercent = 80, tenant = LINEAR_TENANT) {
      const res = await api('PUT', `/api/v1/tenants/${tenant}/pools/${scope}/${quarter}`, { limitDays, warnAtPercent });
      if (res.status !== 200) throw new Error(`PUT pool answered ${res.status}: ${JSON.stringify(res.body)}`);
    },
    async pool(scope, quarter, tenant = LINEAR_TENANT) {
      const res = await api('GET', `/api/v1/tenants/${tenant}/pools/${scope}/${quarter}`);
      if (res.status !== 200) throw new Error(`GET pool answered ${res.status}`);
      return res.body;
    },
    async postLinearWebhook(body, opts = {}) {
      const raw = opts.raw ?? JSON.stringify({ webhookTimestamp: Date.now(), ...body });
      const res = await fetch(`${url}/webhooks/linear/${LINEAR_TENANT}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'linear-delivery': opts.deliveryId ?? randomUUID(),
          'linear-event': String(body.type ?? ''),
          'linear-signature': createHmac('sha256', LINEAR_WEBHOOK_SECRET).update(raw).digest('hex'),
          'user-agent': 'Linear-Webhook',
        },
        body: raw,
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    botWrites(since) {
      return linear.requestLog.countWrites({ userId: SANDBOX_SEED.botUserId, ...(since === undefined ? {} : { since }) });
    },
    async settle(timeoutMs = 20_000) {
      let quietRounds = 0;
      await eventually(
        async () => {
          await Promise.all([linear.idle(), jira?.idle()]);
          quietRounds = (await queueIdle()) ? quietRounds + 1 : 0;
          return quietRounds >= 3;
        },
        'webhooks and jobs to settle',
        timeoutMs,
        40,
      );
    },
    async close() {
      for (const s of stacks) await s.stop();
      await linear.close();
      await jira?.close();
    },
  };
}

function salesRep(linear: LinearSandbox, client: LinearClient): SalesRep {
  const labelId = (teamKey: string, name: string): string => {
    const team = linear.store.findTeam(teamKey);
    const label = [...linear.store.labels.values()].find((l) => l.name === name && !l.archivedAt && (l.teamId === null || l.teamId === team?.id));
    if (!label) throw new Error(`no label "${name}" usable in ${teamKey}`);
    return label.id;
  };
  const stateId = (teamKey: string, type: WorkflowStateType): string => {
    const team = linear.store.findTeam(teamKey);
    const state = team ? linear.store.statesOfTeam(team.id).find((s) => s.type === type) : undefined;
    if (!state) throw new Error(`no ${type} state in ${teamKey}`);
    return state.id;
  };
  const known = (identifier: string): SandboxIssueView => {
    const issue = linear.issue(identifier);
    if (!issue) throw new Error(`no issue ${identifier}`);
    return issue;
  };
  const ok = async (payload: Promise<{ success: boolean }>, what: string): Promise<void> => {
    if (!(await payload).success) throw new Error(`${what} did not succeed`);
  };
  return {
    client,
    async file(input) {
      const teamId = linear.store.findTeam(input.team)?.id;
      if (!teamId) throw new Error(`no team ${input.team}`);
      const payload = await client.createIssue({
        teamId,
        title: input.title,
        labelIds: (input.labels ?? []).map((name) => labelId(input.team, name)),
        ...(input.estimate !== undefined ? { estimate: input.estimate } : {}),
        ...(input.dueDate !== undefined ? { dueDate: input.dueDate } : {}),
        ...(input.state ? { stateId: stateId(input.team, input.state) } : {}),
      });
      const issue = await payload.issue;
      if (!issue) throw new Error('issueCreate returned no issue');
      return { id: issue.id, identifier: issue.identifier };
    },
    async update(identifier, input) {
      await ok(client.updateIssue(known(identifier).id, input), `issueUpdate ${identifier}`);
    },
    async moveTo(identifier, state) {
      const issue = known(identifier);
      await ok(client.updateIssue(issue.id, { stateId: stateId(issue.team.key, state) }), `move ${identifier} to ${state}`);
    },
    async removeLabel(identifier, label) {
      const issue = known(identifier);
      await ok(client.issueRemoveLabel(issue.id, labelId(issue.team.key, label)), `remove ${label} from ${identifier}`);
    },
    async addLabel(identifier, label) {
      const issue = known(identifier);
      await ok(client.issueAddLabel(issue.id, labelId(issue.team.key, label)), `add ${label} to ${identifier}`);
    },
    async comment(identifier, body) {
      await ok(client.createComment({ issueId: known(identifier).id, body }), `comment on ${identifier}`);
    },
    async trash(identifier) {
      await ok(client.deleteIssue(known(identifier).id), `delete ${identifier}`);
    },
    async archive(identifier) {
      await ok(client.archiveIssue(known(identifier).id), `archive ${identifier}`);
    },
  };
}

/** What Pool Guard shows on one sandbox Linear issue: pool labels, its comments, its badge attachment. */
export function shownOnLinear(linear: LinearSandbox, identifier: string) {
  const issue = linear.issue(identifier);
  if (!issue) throw new Error(`no issue ${identifier}`);
  const bot = SANDBOX_SEED.botUserId;
  const poolLabels = issue.labels.filter((l) => l.startsWith('pool-'));
  const comments = issue.comments.filter((c) => c.userId === bot);
  const badges = issue.attachments.filter((a) => a.creatorId === bot && a.url.startsWith(`${DEFAULT_BADGE_URL_BASE}/`));
  return {
    issue,
    poolLabels,
    label: poolLabels.length === 1 ? poolLabels[0] : poolLabels.length === 0 ? null : `AMBIGUOUS:${poolLabels.join(',')}`,
    comments,
    comment: comments[0]?.body ?? null,
    badges,
    badge: badges.length === 1 ? badges[0] : undefined,
  };
}
