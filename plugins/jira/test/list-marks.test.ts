/**
 * listTickets for sweeps: with `withMarks` each listed issue comes with Pool Guard's marks (the
 * `pool-guard` property and the ids of the bot's own comments), read in the same search request;
 * custom-request issue types widen the JQL.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Badge } from '@pool-guard/shared/domain';
import { silentLogger } from '@pool-guard/shared/logging';
import type { TrackerClient } from '@pool-guard/shared/tracker';
import { buildJql, jiraPlugin, marksOf } from '../src/index.js';
import { createJiraSandbox, type JiraSandbox } from '../sandbox/index.js';
import { sandboxTenant } from './jira-test-tenant.js';

const BADGE: Badge = { quarter: '2026-Q4', scope: 'CR', state: 'ok', usedDays: 7, limitDays: 10, days: 3, rank: 1 };
const DOC = { title: 'Custom-work pool', paragraphs: [[{ text: 'Fits.' }]] };

let sandbox: JiraSandbox;
let client: TrackerClient;
let baseUrl: string;

beforeAll(async () => {
  sandbox = createJiraSandbox({ webhookJitterMs: 0 });
  baseUrl = await sandbox.listen(0);
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.reset();
  client = jiraPlugin.connect(sandboxTenant(baseUrl), { logger: silentLogger() });
});

const query = { scopes: [], labels: ['custom-request'], updatedSince: null, cursor: null, pageSize: 50 };

describe('listTickets with marks', () => {
  it('reads the badge property and the bot comment ids of each issue in the one search', async () => {
    const marked = sandbox.createIssue({ project: 'CR', summary: 'Marked', labels: ['custom-request'], originalEstimate: '3d' });
    const bare = sandbox.createIssue({ project: 'CR', summary: 'Bare', labels: ['custom-request'] });
    const { commentId } = await client.writeBack({ ticketKey: marked.key, ticketId: marked.id, labels: { add: ['pool-ok'], remove: [] }, badge: BADGE, comment: { doc: DOC, commentId: null } });
    sandbox.addComment(marked.key, 'A question from sales'); // not Pool Guard's
    const searchesBefore = sandbox.requestLog.filter((e) => e.path === '/rest/api/3/search/jql').length;

    const page = await client.listTickets({ ...query, withMarks: true });
    expect(sandbox.requestLog.filter((e) => e.path === '/rest/api/3/search/jql').length).toBe(searchesBefore + 1);
    expect(page.marks?.get(marked.id)).toEqual({ badge: { ...BADGE }, commentIds: [commentId] });
    expect(page.marks?.get(bare.id)).toEqual({ badge: null, commentIds: [] });
    expect(page.tickets.find((t) => t.id === marked.id)?.labels).toEqual(['custom-request', 'pool-ok']);

    // Without the flag: no marks, and the tickets are the same.
    const plain = await client.listTickets(query);
    expect(plain.marks).toBeUndefined();
    expect(plain.tickets).toEqual(page.tickets);
  });

  it('cannot tell the comments when Jira returned only some of them', () => {
    const issue = { id: '1', fields: { comment: { comments: [{ id: '5', author: { accountId: 'bot' } }], total: 30 } } };
    expect(marksOf(issue, 'bot')).toEqual({ badge: null, commentIds: null });
    expect(marksOf({ id: '1', fields: { comment: { comments: [], total: 0 } }, properties: { 'pool-guard': [1] } }, 'bot')).toEqual({ badge: null, commentIds: [] });
  });

  it('widens the JQL with custom-request issue types, and lists such issues without the label', async () => {
    expect(buildJql({ scopes: ['CR'], labels: ['custom-request'], issueTypes: ['Bug'], updatedSince: null }, null)).toBe(
      'project in ("CR") AND (labels in ("custom-request") OR issuetype in ("Bug")) ORDER BY key ASC',
    );
    expect(buildJql({ scopes: [], labels: [], issueTypes: ['Bug'], updatedSince: null }, null)).toBe('issuetype in ("Bug") ORDER BY key ASC');
    const bug = sandbox.createIssue({ project: 'CR', summary: 'A bug a customer pays for', issueType: 'Bug' });
    sandbox.createIssue({ project: 'CR', summary: 'A task', issueType: 'Task' });
    const page = await client.listTickets({ ...query, issueTypes: ['Bug'] });
    expect(page.tickets.map((t) => t.key)).toEqual([bug.key]);
  });
});
