/** The shared tracker contract, run against the Linear plugin and its sandbox. */
import type { Badge } from '@pool-guard/shared/domain';
import { silentLogger } from '@pool-guard/shared/logging';
import { describeTrackerContract } from '../../../shared/testing/tracker-contract.js';
import { DEFAULT_BADGE_URL_BASE, isPoolGuardComment, linearPlugin } from '../src/index.js';
import { sandboxTenant } from './linear-test-tenant.js';
import { createLinearSandbox, SANDBOX_SEED } from '../sandbox/index.js';

/** Markdown -> the text a person reads: no `**` markers, no backslash escapes. */
function plainText(markdown: string): string {
  let out = '';
  for (let i = 0; i < markdown.length; i += 1) {
    const ch = markdown[i]!;
    if (ch === '\\' && i + 1 < markdown.length) {
      out += markdown[i + 1];
      i += 1;
    } else if (ch === '*' && markdown[i + 1] === '*') {
      i += 1;
    } else {
      out += ch;
    }
  }
  return out;
}

describeTrackerContract('Linear', async () => {
  const sandbox = createLinearSandbox();
  const apiUrl = await sandbox.listen();
  const client = linearPlugin.connect(
    sandboxTenant(apiUrl, { id: 'contract' }),
    { logger: silentLogger() },
  );

  async function ensureLabel(name: string): Promise<void> {
    if ([...sandbox.store.labels.values()].some((l) => l.name === name)) return;
    await sandbox.graphql('mutation($name: String!) { issueLabelCreate(input: { name: $name }) { success } }', { name });
  }

  function issueOf(key: string) {
    const issue = sandbox.issue(key);
    if (!issue) throw new Error(`no issue ${key} in the sandbox`);
    return issue;
  }

  return {
    plugin: linearPlugin,
    client,
    scope: 'ENG',
    estimates: { seconds: false, points: true },
    async createTicket(input) {
      for (const label of input.labels) await ensureLabel(label);
      const issue = await sandbox.createIssue({
        team: input.scope,
        title: input.title,
        labels: input.labels,
        ...(input.points !== undefined ? { estimate: input.points } : {}),
        ...(input.dueDate !== undefined ? { dueDate: input.dueDate } : {}),
      });
      return issue.identifier;
    },
    async ticketLabels(key) {
      return issueOf(key).labels;
    },
    async poolGuardComments(key) {
      return issueOf(key)
        .comments.filter((c) => c.userId === SANDBOX_SEED.botUserId && isPoolGuardComment(c.body))
        .map((c) => plainText(c.body));
    },
    async badge(key) {
      const attachment = issueOf(key).attachments.find((a) => a.url.startsWith(`${DEFAULT_BADGE_URL_BASE}/`));
      if (!attachment) return null;
      const m = attachment.metadata as Partial<Record<keyof Badge, string | number>>;
      return {
        quarter: String(m.quarter),
        scope: String(m.scope),
        state: m.state as Badge['state'],
        usedDays: Number(m.usedDays),
        limitDays: m.limitDays === undefined ? null : Number(m.limitDays),
        days: m.days === undefined ? null : Number(m.days),
        rank: Number(m.rank),
      };
    },
    injectRateLimit(times) {
      sandbox.faults.add({ kind: 'ratelimited', times, resetInMs: 30_000 });
    },
    close: () => sandbox.close(),
  };
});
