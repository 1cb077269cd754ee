/**
 * The sandbox driven by the real jira.js 5 client, the way any Jira Cloud integration would call it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { HttpException, Version3Client } from 'jira.js';
import { createJiraSandbox, type JiraSandbox } from '../sandbox/index.js';

let sandbox: JiraSandbox;
let jira: Version3Client;
let baseUrl: string;

function clientFor(email: string, apiToken: string): Version3Client {
  return new Version3Client({ host: baseUrl, authentication: { basic: { email, apiToken } } });
}

async function failure(promise: Promise<unknown>): Promise<HttpException> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof HttpException) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  sandbox = createJiraSandbox({ webhookJitterMs: 0 });
  baseUrl = await sandbox.listen(0);
  jira = clientFor('pool-guard@example.com', 'sandbox-bot-token');
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => sandbox.reset());

describe('Jira sandbox through jira.js Version3Client', () => {
  it('answers /myself with the bot account', async () => {
    const me = await jira.myself.getCurrentUser();
    expect(me.accountId).toBe(sandbox.users.bot.accountId);
    expect(me.displayName).toBe('Pool Guard');
    expect(me.emailAddress).toBe('pool-guard@example.com');
    expect(me.accountId).toMatch(/^712020:[0-9a-f-]{36}$/);
  });

  it('lists the Rank and story point fields', async () => {
    const fields = await jira.issueFields.getFields();
    const rank = fields.find((f) => f.name === 'Rank');
    expect(rank?.id).toBe('customfield_10019');
    expect(rank?.schema?.custom).toBe('com.pyxis.greenhopper.jira:gh-lexo-rank');
    expect(fields.find((f) => f.name === 'Story point estimate')?.id).toBe('customfield_10016');
    expect(fields.some((f) => f.id === 'labels' && f.custom === false)).toBe(true);
  });

  it('creates an issue and returns it in REST v3 shape', async () => {
    const created = await jira.issues.createIssue({
      fields: {
        project: { key: 'CR' },
        summary: 'Acme: SSO for the admin console',
        issuetype: { name: 'Story' },
        labels: ['custom-request'],
        duedate: '2026-12-15',
        timetracking: { originalEstimate: '2d' },
        customfield_10016: 5,
      },
    });
    expect(created.key).toBe('CR-1');
    expect(created.self).toBe(`${baseUrl}/rest/api/3/issue/${created.id}`);

    const issue = await jira.issues.getIssue({ issueIdOrKey: 'CR-1' });
    expect(issue.fields.summary).toBe('Acme: SSO for the admin console');
    expect(issue.fields.labels).toEqual(['custom-request']);
    expect(issue.fields.timeoriginalestimate).toBe(57600);
    expect(issue.fields.timetracking?.originalEstimate).toBe('2d');
    expect(issue.fields.duedate).toBe('2026-12-15');
    expect(issue.fields.status.statusCategory?.key).toBe('new');
    expect(issue.fields.project.key).toBe('CR');
    const fields = issue.fields as unknown as Record<string, unknown>;
    expect(fields.customfield_10016).toBe(5);
    expect(fields.customfield_10019).toMatch(/^0\|[0-9a-z]{6}:/);
    expect(fields.updated).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
    expect(fields.created).toMatch(/\+0000$/);
  });

  it('honours the fields parameter', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'One', labels: ['a'] });
    const some = await jira.issues.getIssue({ issueIdOrKey: 'CR-1', fields: ['summary', 'labels'] });
    expect(Object.keys(some.fields).sort()).toEqual(['labels', 'summary']);
    const navigable = await jira.issues.getIssue({ issueIdOrKey: 'CR-1', fields: ['*navigable'] });
    expect(navigable.fields.summary).toBe('One');
    expect((navigable.fields as Record<string, unknown>).comment).toBeUndefined();
    const all = await jira.issues.getIssue({ issueIdOrKey: 'CR-1', fields: ['*all', '-comment'] });
    expect((all.fields as Record<string, unknown>).comment).toBeUndefined();
    expect(all.fields.labels).toEqual(['a']);
  });

  it('edits labels with add/remove and leaves other labels alone', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'Labels', labels: ['custom-request', 'vip', 'pool-ok'] });
    await jira.issues.editIssue({
      issueIdOrKey: 'CR-1',
      update: { labels: [{ add: 'pool-over-limit' }, { remove: 'pool-ok' }] },
    });
    expect(sandbox.issue('CR-1')?.labels).toEqual(['custom-request', 'vip', 'pool-over-limit']);
  });

  it('adds, lists and edits comments in ADF', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'Comments' });
    const added = await jira.issueComments.addComment({
      issueIdOrKey: 'CR-1',
      comment: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'First' }] }] },
    });
    expect(added.id).toBeDefined();
    expect(added.author?.accountId).toBe(sandbox.users.bot.accountId);
    await jira.issueComments.updateComment({ issueIdOrKey: 'CR-1', id: added.id!, body: 'Edited' });
    const page = await jira.issueComments.getComments({ issueIdOrKey: 'CR-1' });
    expect(page.total).toBe(1);
    expect(page.comments?.[0]?.body).toEqual({
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Edited' }] }],
    });
    expect(sandbox.issue('CR-1')?.comments.map((c) => c.text)).toEqual(['Edited']);
  });

  it('paginates comments with startAt/maxResults/total', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'Many comments' });
    for (let i = 1; i <= 5; i++) sandbox.addComment('CR-1', `comment ${i}`);
    const page = await jira.issueComments.getComments({ issueIdOrKey: 'CR-1', startAt: 2, maxResults: 2 });
    expect(page.startAt).toBe(2);
    expect(page.maxResults).toBe(2);
    expect(page.total).toBe(5);
    expect(page.comments?.length).toBe(2);
  });

  it('sets, reads and deletes issue properties (201 then 200)', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'Props' });
    await jira.issueProperties.setIssueProperty({ issueIdOrKey: 'CR-1', propertyKey: 'pool-guard', propertyValue: { state: 'ok' } });
    const firstStatus = sandbox.requestLog.at(-1)?.status;
    await jira.issueProperties.setIssueProperty({ issueIdOrKey: 'CR-1', propertyKey: 'pool-guard', propertyValue: { state: 'over-limit' } });
    expect([firstStatus, sandbox.requestLog.at(-1)?.status]).toEqual([201, 200]);
    const value = await jira.issueProperties.getIssueProperty({ issueIdOrKey: 'CR-1', propertyKey: 'pool-guard' });
    expect(value).toEqual({ key: 'pool-guard', value: { state: 'over-limit' } });
    const keys = await jira.issueProperties.getIssuePropertyKeys({ issueIdOrKey: 'CR-1' });
    expect(keys.keys?.map((k) => k.key)).toEqual(['pool-guard']);
    await jira.issueProperties.deleteIssueProperty({ issueIdOrKey: 'CR-1', propertyKey: 'pool-guard' });
    const missing = await failure(jira.issueProperties.getIssueProperty({ issueIdOrKey: 'CR-1', propertyKey: 'pool-guard' }));
    expect(missing.status).toBe(404);
  });

  it('pages through /search/jql with nextPageToken and isLast', async () => {
    for (let i = 1; i <= 7; i++) sandbox.createIssue({ project: 'CR', summary: `Issue ${i}`, labels: ['custom-request'] });
    sandbox.createIssue({ project: 'OPS', summary: 'Other project', labels: ['custom-request'] });
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({
        jql: 'project = CR AND labels = custom-request ORDER BY key ASC',
        maxResults: 3,
        fields: ['summary'],
        ...(token ? { nextPageToken: token } : {}),
      });
      pages++;
      keys.push(...(page.issues ?? []).map((i) => i.key!));
      token = page.nextPageToken;
      expect((page as { isLast?: boolean }).isLast).toBe(token === undefined);
    } while (token);
    expect(pages).toBe(3);
    expect(keys).toEqual(['CR-1', 'CR-2', 'CR-3', 'CR-4', 'CR-5', 'CR-6', 'CR-7']);
  });

  it('returns ids only when search fields are not given', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'Only id' });
    const page = await jira.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql: 'project = CR' });
    expect(page.issues).toEqual([{ id: sandbox.issue('CR-1')!.id }]);
    expect((page as { isLast?: boolean }).isLast).toBe(true);
    expect(page.nextPageToken).toBeUndefined();
  });

  it('rejects an unbounded JQL query with 400', async () => {
    const err = await failure(jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql: 'order by key desc' }));
    expect(err.status).toBe(400);
    expect(JSON.stringify(err.response)).toContain('Unbounded JQL queries are not allowed here');
  });

  it('answers the removed /search with 410', async () => {
    const err = await failure(jira.issueSearch.searchForIssuesUsingJql({ jql: 'project = CR' }));
    expect(err.status).toBe(410);
    expect(JSON.stringify(err.response)).toContain('Please migrate to the /rest/api/3/search/jql API');
  });

  it('answers 401 with a wrong token', async () => {
    const err = await failure(clientFor('pool-guard@example.com', 'wrong-token').myself.getCurrentUser());
    expect(err.status).toBe(401);
  });

  it('answers 404 with Jira’s body for a missing issue', async () => {
    const err = await failure(jira.issues.getIssue({ issueIdOrKey: 'CR-999' }));
    expect(err.status).toBe(404);
    const cause = err.cause as { response?: { data?: unknown } };
    expect(cause.response?.data).toEqual({
      errorMessages: ['Issue does not exist or you do not have permission to see it.'],
      errors: {},
    });
  });

  it('answers an injected 429 with Retry-After and rate-limit headers', async () => {
    sandbox.faults.add({ method: 'GET', path: '/rest/api/3/myself', status: 429, retryAfterSeconds: 7, times: 1 });
    const err = await failure(jira.myself.getCurrentUser());
    expect(err.status).toBe(429);
    const headers = (err.cause as { response?: { headers?: Record<string, string> } }).response?.headers ?? {};
    expect(headers['retry-after']).toBe('7');
    expect(headers['x-ratelimit-remaining']).toBe('0');
    expect(headers['ratelimit-reason']).toBe('jira-burst-based');
    expect(headers['x-ratelimit-reset']).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // The fault is used up: the next call goes through.
    await expect(jira.myself.getCurrentUser()).resolves.toMatchObject({ displayName: 'Pool Guard' });
  });

  it('transitions issues through the simplified workflow', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'Move me' });
    const { transitions } = await jira.issues.getTransitions({ issueIdOrKey: 'CR-1' });
    const inProgress = transitions?.find((t) => t.name === 'In Progress');
    expect(inProgress?.to?.statusCategory?.key).toBe('indeterminate');
    await jira.issues.doTransition({ issueIdOrKey: 'CR-1', transition: { id: inProgress!.id! } });
    expect(sandbox.issue('CR-1')?.statusCategory).toBe('indeterminate');
  });

  it('deletes issues', async () => {
    sandbox.createIssue({ project: 'CR', summary: 'Delete me' });
    await jira.issues.deleteIssue({ issueIdOrKey: 'CR-1' });
    expect(sandbox.issue('CR-1')).toBeUndefined();
  });
});
