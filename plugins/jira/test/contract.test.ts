/** The shared tracker contract, run against the Jira plugin and the Jira sandbox. */
import { silentLogger } from '@pool-guard/shared/logging';
import type { Badge } from '@pool-guard/shared/domain';
import { describeTrackerContract } from '../../../shared/testing/tracker-contract.js';
import { jiraPlugin } from '../src/index.js';
import { createJiraSandbox } from '../sandbox/index.js';
import { sandboxTenant } from './jira-test-tenant.js';

describeTrackerContract('Jira', async () => {
  const sandbox = createJiraSandbox({ webhookJitterMs: 0 });
  const baseUrl = await sandbox.listen(0);
  const client = jiraPlugin.connect(sandboxTenant(baseUrl), { logger: silentLogger() });
  const bot = sandbox.users.bot.accountId;
  const issue = (key: string) => {
    const found = sandbox.issue(key);
    if (!found) throw new Error(`no issue ${key} in the sandbox`);
    return found;
  };
  return {
    plugin: jiraPlugin,
    client,
    scope: 'CR',
    estimates: { seconds: true, points: true },
    async createTicket(input) {
      return sandbox.createIssue({
        project: input.scope,
        summary: input.title,
        labels: input.labels,
        ...(input.estimateSeconds !== undefined ? { originalEstimate: input.estimateSeconds } : {}),
        ...(input.points !== undefined ? { storyPoints: input.points } : {}),
        ...(input.dueDate !== undefined ? { dueDate: input.dueDate } : {}),
      }).key;
    },
    async ticketLabels(key) {
      return issue(key).labels;
    },
    async poolGuardComments(key) {
      return issue(key)
        .comments.filter((c) => c.authorId === bot && c.text.split('\n')[0] === 'Custom-work pool')
        .map((c) => c.text);
    },
    async badge(key) {
      return (issue(key).properties['pool-guard'] as Badge | undefined) ?? null;
    },
    injectRateLimit(times) {
      sandbox.faults.add({ path: '/rest/', status: 429, retryAfterSeconds: 3, times });
    },
    close: () => sandbox.close(),
  };
});
