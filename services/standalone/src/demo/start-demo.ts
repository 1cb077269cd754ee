/**
 * `npm start` without POOLGUARD_CONFIG: Pool Guard on sandbox trackers, served on the same port.
 * A demo tenant is wired to the sandbox Jira (`/sandbox/jira`) and another to the sandbox Linear
 * (`/sandbox/linear`), each with its webhook registered; pools are set for this quarter (and the
 * next, on Jira), and a sales rep files sample requests in both, so the labels, comments, badges
 * and pools are there to look at.
 */
import { createJiraSandbox, type JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import { createLinearSandbox, SANDBOX_SEED, type LinearSandbox, type SandboxIssueInput } from '@pool-guard/plugin-linear/sandbox';
import { configFileSchema } from '@pool-guard/shared/config';
import { nextQuarter, quarterEndDate, quarterOf } from '@pool-guard/shared/domain';
import type { Logger } from '@pool-guard/shared/logging';
import { createRedisConnection } from '@pool-guard/shared/store';
import { freePort } from '@pool-guard/shared/runtime';
import type { TrackerPlugins } from '@pool-guard/shared/tracker';
import { startStack } from '../start-stack.js';

export const DEMO_TENANT = 'demo';
export const DEMO_LINEAR_TENANT = 'demo-linear';
export const DEMO_ADMIN_TOKEN = 'demo-admin-token-not-for-production';
const DEMO_WEBHOOK_SECRET = 'demo-webhook-secret';
const DEMO_LINEAR_WEBHOOK_SECRET = 'demo-linear-webhook-secret';
const DEMO_PREFIX = 'pg-demo';

export interface DemoOptions {
  redisUrl: string;
  plugins: TrackerPlugins;
  logger: Logger;
  port: number;
  host?: string;
  /** Print the "what to open" banner (default true). */
  banner?: boolean;
}

export interface Demo {
  url: string;
  jira: JiraSandbox;
  linear: LinearSandbox;
  /** Resolves once the sample tickets (Jira and Linear) carry their labels and comments. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** Removes what an earlier demo run left in Redis (the sandbox starts empty every time). */
async function clearDemoKeys(redisUrl: string): Promise<void> {
  const redis = createRedisConnection(redisUrl);
  try {
    if ('scanStream' in redis && typeof redis.scanStream === 'function') {
      const stream = redis.scanStream({ match: `${DEMO_PREFIX}:*`, count: 500 });
      for await (const keys of stream as AsyncIterable<string[]>) {
        if (keys.length > 0) await redis.unlink(...keys);
      }
    }
  } finally {
    await redis.quit();
  }
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const port = options.port === 0 ? await freePort() : options.port;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  await clearDemoKeys(options.redisUrl);

  const jira = createJiraSandbox({ baseUrl: `${url}/sandbox/jira` });
  const linear = createLinearSandbox({ webBaseUrl: `${url}/sandbox/linear` });
  const config = configFileSchema.parse({
    adminTokens: [{ token: process.env.POOLGUARD_ADMIN_TOKEN || DEMO_ADMIN_TOKEN, role: 'admin' }],
    tenants: [
      {
        id: DEMO_TENANT,
        tracker: 'jira',
        baseUrl: `${url}/sandbox/jira`,
        email: jira.users.bot.email,
        apiToken: jira.users.bot.apiToken,
        webhookSecret: DEMO_WEBHOOK_SECRET,
      },
      {
        id: DEMO_LINEAR_TENANT,
        tracker: 'linear',
        apiKey: SANDBOX_SEED.botApiKey,
        apiUrl: `${url}/sandbox/linear/graphql`,
        webhookSecret: DEMO_LINEAR_WEBHOOK_SECRET,
      },
    ],
    redisKeyPrefix: DEMO_PREFIX,
  });
  const stack = await startStack({
    config,
    redisUrl: options.redisUrl,
    plugins: options.plugins,
    logger: options.logger,
    port,
    host,
    mount: (app) => {
      app.use('/sandbox/jira', jira.app);
      app.use('/sandbox/linear', linear.app);
    },
  });
  jira.registerWebhook({
    name: 'Pool Guard (demo)',
    url: `${url}/webhooks/jira/${DEMO_TENANT}`,
    secret: DEMO_WEBHOOK_SECRET,
    events: ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted', 'comment_created'],
  });
  linear.registerWebhook({
    url: `${url}/webhooks/linear/${DEMO_LINEAR_TENANT}`,
    secret: DEMO_LINEAR_WEBHOOK_SECRET,
    resourceTypes: ['Issue', 'Comment', 'IssueLabel'],
  });

  const today = new Date().toISOString().slice(0, 10);
  const thisQuarter = quarterOf(today);
  const next = nextQuarter(thisQuarter);
  const due = quarterEndDate(thisQuarter);
  const token = config.adminTokens[0]!.token;
  const putPool = async (scope: string, quarter: string, limitDays: number, tenant = DEMO_TENANT) => {
    const res = await fetch(`${url}/api/v1/tenants/${tenant}/pools/${scope}/${quarter}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ limitDays, warnAtPercent: 80 }),
    });
    if (!res.ok) throw new Error(`demo: could not set pool ${tenant} ${scope}/${quarter}: ${res.status}`);
  };
  await putPool('CR', thisQuarter, 10);
  await putPool('CR', next, 8);
  await putPool('ENG', thisQuarter, 10, DEMO_LINEAR_TENANT);

  const sample = [
    { summary: 'SSO with Okta for Initech', originalEstimate: '3d', status: 'In Progress' as const },
    { summary: 'Nightly CSV export for Globex', originalEstimate: '2d' },
    { summary: 'Custom invoice layout for Umbrella Corp', originalEstimate: '3d' },
    { summary: 'Dedicated reporting dashboard for Acme', originalEstimate: '5d' },
    { summary: 'Salesforce field sync for Hooli', storyPoints: 2 },
    { summary: 'White-label login page for Stark Industries' },
  ];
  const created = sample.map((s) =>
    jira.createIssue({ project: 'CR', labels: ['custom-request'], dueDate: due, ...s }),
  );
  jira.createIssue({ project: 'CR', summary: 'Roadmap: bulk edit for everyone', labels: ['roadmap'], originalEstimate: '8d', dueDate: due });

  // The same on Linear: Sam Seller (the sandbox's sales user) files issues in team ENG.
  const linearSample: Array<Omit<SandboxIssueInput, 'team' | 'labels' | 'dueDate'>> = [
    { title: 'Audit log export for Initech', estimate: 3, state: 'started' },
    { title: 'SAML group sync for Globex', estimate: 2 },
    { title: 'Custom PDF branding for Umbrella Corp', estimate: 3 },
    { title: 'Per-tenant data residency for Acme', estimate: 5 },
    { title: 'Webhook retries dashboard for Hooli', estimate: 1 },
    { title: 'Custom SSO domain for Stark Industries' },
  ];
  const linearCreated: string[] = [];
  for (const s of linearSample) {
    linearCreated.push((await linear.createIssue({ team: 'ENG', labels: ['custom-request'], dueDate: due, ...s }, 'sales')).identifier);
  }
  await linear.createIssue({ team: 'ENG', title: 'Roadmap: keyboard shortcuts everywhere', labels: ['feature'], estimate: 8, dueDate: due }, 'sales');

  const ready = (async () => {
    const deadline = Date.now() + 20_000;
    const labelled = (labels: readonly string[] | undefined) => (labels ?? []).some((l) => l.startsWith('pool-'));
    while (Date.now() < deadline) {
      await Promise.all([jira.idle(), linear.idle()]);
      if (created.every((c) => labelled(jira.issue(c.key)?.labels)) && linearCreated.every((k) => labelled(linear.issue(k)?.labels))) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  if (options.banner !== false) {
    void ready.then(() => {
      const over = created.find((c) => jira.issue(c.key)?.labels.includes('pool-over-limit')) ?? created[3]!;
      const linearOver = linearCreated.find((k) => linear.issue(k)?.labels.includes('pool-over-limit')) ?? linearCreated[3]!;
      const lines = [
        '',
        `Pool Guard demo is running at ${url}`,
        '',
        `  Sandbox Jira, as a sales rep or PM sees it:   ${url}/sandbox/jira/`,
        `  A request that fits this quarter's pool:      ${url}/sandbox/jira/browse/${created[1]!.key}`,
        `  A request that waits (does not fit):          ${url}/sandbox/jira/browse/${over.key}`,
        `  A request without an estimate:                ${url}/sandbox/jira/browse/${created[5]!.key}`,
        '',
        `  Sandbox Linear, team ENG:                     ${url}/sandbox/linear/`,
        `  A request that fits this quarter's pool:      ${url}/sandbox/linear/issue/${linearCreated[1]!}`,
        `  A request that waits (does not fit):          ${url}/sandbox/linear/issue/${linearOver}`,
        `  A request without an estimate:                ${url}/sandbox/linear/issue/${linearCreated[5]!}`,
        `  (GraphQL for @linear/sdk: ${url}/sandbox/linear/graphql, API key ${SANDBOX_SEED.salesApiKey})`,
        '',
        `  The pools (admin API):`,
        `    curl -H "Authorization: Bearer ${token}" ${url}/api/v1/tenants/${DEMO_TENANT}/pools/CR/${thisQuarter}`,
        `    curl -H "Authorization: Bearer ${token}" ${url}/api/v1/tenants/${DEMO_LINEAR_TENANT}/pools/ENG/${thisQuarter}`,
        `  Give it more room and watch the tickets change:`,
        `    curl -X PUT -H "Authorization: Bearer ${token}" -H 'Content-Type: application/json' \\`,
        `         -d '{"limitDays": 20}' ${url}/api/v1/tenants/${DEMO_TENANT}/pools/CR/${thisQuarter}`,
        `  Health: ${url}/healthz        Stop: Ctrl-C`,
        '',
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  }

  return {
    url,
    jira,
    linear,
    ready,
    async stop() {
      await stack.stop();
      await jira.close();
      await linear.close();
    },
  };
}
