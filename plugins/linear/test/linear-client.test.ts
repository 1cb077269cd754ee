/**
 * The Linear plugin's client against a listening sandbox: ticket mapping, write-back (one comment
 * edited in place, pool labels created when missing and other labels untouched, badge upserts and
 * removal, idempotence), listing, and the mapping of Linear's errors to TrackerError.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LinearTenantConfig } from '@pool-guard/shared/config';
import { badgeSubtitle, COMMENT_TITLE, type Badge, type CommentDoc } from '@pool-guard/shared/domain';
import { silentLogger } from '@pool-guard/shared/logging';
import { TrackerError, type TrackerClient, type WriteBackCommand } from '@pool-guard/shared/tracker';
import { createLinearPlugin, linearPlugin } from '../src/index.js';
import { sandboxTenant } from './linear-test-tenant.js';
import { parseWebhook } from '../src/parse-webhook.js';
import { createLinearSandbox, SANDBOX_SEED, type LinearSandbox, type SandboxIssueView } from '../sandbox/index.js';
import { startWebhookReceiver } from './webhook-receiver.js';

const { botUserId } = SANDBOX_SEED;

let sandbox: LinearSandbox;
let apiUrl: string;

function tenant(overrides: Partial<LinearTenantConfig> = {}): LinearTenantConfig {
  return sandboxTenant(apiUrl, overrides);
}

function connect(overrides: Partial<LinearTenantConfig> = {}): TrackerClient {
  return linearPlugin.connect(tenant(overrides), { logger: silentLogger() });
}

beforeAll(async () => {
  sandbox = createLinearSandbox();
  apiUrl = await sandbox.listen();
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  sandbox.reset();
});

async function failure(promise: Promise<unknown>): Promise<TrackerError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TrackerError) return err;
    throw err;
  }
  throw new Error('expected a TrackerError');
}

describe('whoAmI', () => {
  it('is the API key\'s user, asked once', async () => {
    const client = connect();
    expect(await client.whoAmI()).toEqual({ accountId: botUserId, displayName: 'Pool Guard' });
    await client.whoAmI();
    expect(sandbox.requestLog.countRequests()).toBe(1);
  });
});

describe('fetchTicket', () => {
  it('maps an issue to a Ticket in one request', async () => {
    const created = await sandbox.createIssue({
      team: 'ENG', title: 'Acme SSO', estimate: 3, dueDate: '2026-12-15', sortOrder: -95.81, state: 'started', labels: ['custom-request', 'bug'],
    });
    const client = connect();
    const before = sandbox.requestLog.countRequests();
    const ticket = await client.fetchTicket('ENG-1');
    expect(sandbox.requestLog.countRequests() - before).toBe(1);
    expect(ticket).toEqual({
      key: 'ENG-1',
      id: created.id,
      scope: 'ENG',
      title: 'Acme SSO',
      labels: ['custom-request', 'bug'],
      issueType: null,
      linkedToCustomerRequest: false,
      estimate: { seconds: null, points: 3 },
      dueDate: '2026-12-15',
      createdAt: created.createdAt,
      updatedAt: created.updatedAt,
      rank: -95.81,
      progress: 'in-progress',
    });
    expect(await client.fetchTicket(created.id)).toEqual(ticket);
  });

  it('maps every workflow state type to progress', async () => {
    const client = connect();
    const expected = { triage: 'not-started', backlog: 'not-started', unstarted: 'not-started', started: 'in-progress', completed: 'done', canceled: 'canceled' } as const;
    for (const [state, progress] of Object.entries(expected)) {
      const issue = await sandbox.createIssue({ team: 'OPS', title: state, state: state as keyof typeof expected });
      expect((await client.fetchTicket(issue.identifier))?.progress).toBe(progress);
    }
  });

  it('is null for an unknown, trashed or archived issue, and without an estimate points is null', async () => {
    const client = connect();
    expect(await client.fetchTicket('ENG-404')).toBeNull();
    expect(await client.fetchTicket('00000000-0000-4000-8000-00000000dead')).toBeNull();
    const plain = await sandbox.createIssue({ team: 'ENG', title: 'No estimate' });
    expect((await client.fetchTicket(plain.identifier))?.estimate).toEqual({ seconds: null, points: null });
    await sandbox.graphql('mutation($id: String!) { issueDelete(id: $id) { success } }', { id: plain.id });
    expect(await client.fetchTicket(plain.identifier)).toBeNull();
    const archived = await sandbox.createIssue({ team: 'ENG', title: 'Archived' });
    await sandbox.graphql('mutation($id: String!) { issueArchive(id: $id) { success } }', { id: archived.id });
    expect(await client.fetchTicket(archived.identifier)).toBeNull();
  });

  it('reports linked customer requests when the tenant counts them', async () => {
    const issue = await sandbox.createIssue({ team: 'ENG', title: 'Customer asked' });
    await sandbox.addCustomerNeed(issue.identifier);
    expect((await connect().fetchTicket(issue.identifier))?.linkedToCustomerRequest).toBe(false);
    expect((await connect({ includeLinkedCustomerRequests: true }).fetchTicket(issue.identifier))?.linkedToCustomerRequest).toBe(true);
  });
});

const doc = (headline: string): CommentDoc => ({
  title: COMMENT_TITLE,
  paragraphs: [
    [{ text: headline, bold: true }, { text: ' Nothing to do.' }],
    [{ text: 'Pool for ENG in 2026-Q4: 8 of 10 days used, 2 days free.' }],
  ],
});

const badge = (state: Badge['state'], rank: number): Badge => ({
  quarter: '2026-Q4', scope: 'ENG', state, usedDays: 8, limitDays: 10, days: 3, rank,
});

function command(issue: SandboxIssueView, parts: Partial<WriteBackCommand>): WriteBackCommand {
  return { ticketKey: issue.identifier, ticketId: issue.id, ...parts };
}

describe('writeBack', () => {
  it('writes the label, one comment and the badge, then nothing when nothing changed', async () => {
    const issue = await sandbox.createIssue({ team: 'ENG', title: 'Acme SSO', estimate: 3, labels: ['custom-request'] });
    const client = connect();
    const first = await client.writeBack(
      command(issue, {
        labels: { add: ['pool-near-limit'], remove: ['pool-ok', 'pool-over-limit'] },
        comment: { doc: doc('Fits, but the pool is almost full: 2 days left.'), commentId: null },
        badge: badge('near-limit', 3),
      }),
    );
    let view = sandbox.issue('ENG-1')!;
    expect(view.labels).toEqual(['custom-request', 'pool-near-limit']);
    expect(view.comments).toHaveLength(1);
    expect(view.comments[0]).toMatchObject({
      id: first.commentId,
      userId: botUserId,
      body: '**Custom-work pool**\n\n**Fits, but the pool is almost full: 2 days left.** Nothing to do.\n\nPool for ENG in 2026-Q4: 8 of 10 days used, 2 days free.',
    });
    expect(view.attachments).toEqual([
      expect.objectContaining({
        url: 'https://pool-guard.invalid/linear/ENG-1',
        title: 'Custom-work pool',
        subtitle: '2026-Q4 · 8 of 10 days · near limit · rank 3',
        metadata: { quarter: '2026-Q4', scope: 'ENG', state: 'near-limit', usedDays: 8, limitDays: 10, days: 3, rank: 3 },
      }),
    ]);
    expect(view.attachments[0]!.subtitle).toBe(badgeSubtitle(badge('near-limit', 3)));
    // read (with the pool-label lookup) + issueLabelCreate + one document: issueUpdate, commentCreate, attachmentCreate
    expect(first.calls).toBe(3);
    const written = sandbox.requestLog.entries.filter((e) => e.rootFields.includes('commentCreate'));
    expect(written).toHaveLength(1);
    expect(written[0]!.rootFields).toEqual(['issueUpdate', 'commentCreate', 'attachmentCreate']);
    expect(sandbox.store.labels.get(view.labelIds[1]!)).toMatchObject({ name: 'pool-near-limit', teamId: issue.team.id });

    const writesBefore = sandbox.requestLog.countWrites();
    const again = await client.writeBack(
      command(issue, {
        labels: { add: ['pool-near-limit'], remove: ['pool-ok', 'pool-over-limit'] },
        comment: { doc: doc('Fits, but the pool is almost full: 2 days left.'), commentId: first.commentId },
        badge: badge('near-limit', 3),
      }),
    );
    expect(again).toEqual({ commentId: first.commentId, calls: 1 });
    expect(sandbox.requestLog.countWrites()).toBe(writesBefore);
    view = sandbox.issue('ENG-1')!;
    expect(view.comments).toHaveLength(1);
    expect(view.attachments).toHaveLength(1);
  });

  it('edits the same comment in place, swaps only pool labels and updates the badge', async () => {
    const issue = await sandbox.createIssue({ team: 'ENG', title: 'Acme SSO', labels: ['custom-request'] });
    const client = connect();
    const first = await client.writeBack(
      command(issue, {
        labels: { add: ['pool-ok'], remove: [] },
        comment: { doc: doc('Fits in the pool.'), commentId: null },
        badge: badge('ok', 1),
      }),
    );
    const attachmentId = sandbox.issue(issue.id)!.attachments[0]!.id;
    // someone else adds a label meanwhile; Pool Guard must not clobber it
    await sandbox.graphql('mutation($id: String!, $l: [String!]) { issueUpdate(id: $id, input: { addedLabelIds: $l }) { success } }', {
      id: issue.id, l: [SANDBOX_SEED.labels.bug],
    });
    const second = await client.writeBack(
      command(issue, {
        labels: { add: ['pool-over-limit'], remove: ['pool-ok', 'pool-near-limit'] },
        comment: { doc: doc('Waiting: it does not fit in the pool.'), commentId: first.commentId },
        badge: badge('over-limit', 5),
      }),
    );
    const view = sandbox.issue(issue.id)!;
    expect(second.commentId).toBe(first.commentId);
    expect(view.labels.sort()).toEqual(['bug', 'custom-request', 'pool-over-limit']);
    expect(view.comments).toHaveLength(1);
    expect(view.comments[0]!.body).toContain('**Waiting: it does not fit in the pool.**');
    expect(view.comments[0]!.editedAt).not.toBeNull();
    expect(view.attachments).toEqual([expect.objectContaining({ id: attachmentId, subtitle: '2026-Q4 · 8 of 10 days · over limit · rank 5' })]);
    // labels are now cached: read + issueLabelCreate (pool-over-limit is new in ENG) + one document
    expect(second.calls).toBe(3);
    const third = await client.writeBack(
      command(issue, {
        labels: { add: ['pool-ok'], remove: ['pool-over-limit', 'pool-near-limit'] },
        comment: { doc: doc('Fits in the pool again.'), commentId: first.commentId },
        badge: badge('ok', 2),
      }),
    );
    // the steady state: the read and one document with the label change, the comment edit and the badge
    expect(third.calls).toBe(2);
    expect(sandbox.requestLog.entries.at(-1)!.rootFields).toEqual(['issueUpdate', 'commentUpdate', 'attachmentCreate']);
    expect(sandbox.issue(issue.id)!.labels.sort()).toEqual(['bug', 'custom-request', 'pool-ok']);
    expect(sandbox.issue(issue.id)!.comments[0]!.body).toContain('**Fits in the pool again.**');
  });

  it('sends one issueUpdate with addedLabelIds/removedLabelIds, never labelIds', async () => {
    const issue = await sandbox.createIssue({ team: 'ENG', title: 'Labels only', labels: ['custom-request'] });
    const client = connect();
    await client.writeBack(command(issue, { labels: { add: ['pool-ok'], remove: [] } }));
    await client.writeBack(command(issue, { labels: { add: ['pool-needs-estimate'], remove: ['pool-ok'] } }));
    const updates = sandbox.requestLog.entries.filter((e) => e.rootFields.includes('issueUpdate'));
    expect(updates).toHaveLength(2);
    for (const update of updates) expect((update.variables.labels as Record<string, unknown>).labelIds).toBeUndefined();
    expect(updates[1]!.variables.labels).toEqual({
      addedLabelIds: [expect.any(String)],
      removedLabelIds: [sandbox.issue(issue.id) && expect.any(String)],
    });
    expect(sandbox.issue(issue.id)!.labels).toEqual(['custom-request', 'pool-needs-estimate']);
  });

  it('creates pool labels per team, and uses a workspace label of the same name when there is one', async () => {
    await sandbox.graphql('mutation { issueLabelCreate(input: { name: "pool-ok" }) { success } }');
    const eng = await sandbox.createIssue({ team: 'ENG', title: 'ENG one' });
    const ops = await sandbox.createIssue({ team: 'OPS', title: 'OPS one' });
    const client = connect();
    await client.writeBack(command(eng, { labels: { add: ['pool-ok'], remove: [] } }));
    await client.writeBack(command(ops, { labels: { add: ['pool-ok'], remove: [] } }));
    await client.writeBack(command(ops, { labels: { add: ['pool-over-limit'], remove: ['pool-ok'] } }));
    await client.writeBack(command(eng, { labels: { add: ['pool-over-limit'], remove: ['pool-ok'] } }));
    const poolLabels = [...sandbox.store.labels.values()].filter((l) => l.name.startsWith('pool-'));
    expect(poolLabels.map((l) => `${l.name}@${l.teamId === null ? '*' : sandbox.store.teams.get(l.teamId)!.key}`).sort()).toEqual([
      'pool-ok@*',
      'pool-over-limit@ENG',
      'pool-over-limit@OPS',
    ]);
    expect(sandbox.issue(eng.id)!.labels).toEqual(['pool-over-limit']);
    expect(sandbox.issue(ops.id)!.labels).toEqual(['pool-over-limit']);
  });

  it('looks labels up again when a cached one was deleted, or created by someone else', async () => {
    const a = await sandbox.createIssue({ team: 'ENG', title: 'A' });
    const b = await sandbox.createIssue({ team: 'ENG', title: 'B' });
    const client = connect();
    await client.writeBack(command(a, { labels: { add: ['pool-ok'], remove: [] } }));
    const cached = sandbox.issue(a.id)!.labelIds[0]!;
    sandbox.store.labels.delete(cached); // deleted in Linear behind Pool Guard's back
    const from = sandbox.requestLog.entries.length;
    const result = await client.writeBack(
      command(b, { labels: { add: ['pool-ok'], remove: [] }, comment: { doc: doc('Fits in the pool.'), commentId: null }, badge: badge('ok', 1) }),
    );
    expect(sandbox.issue(b.id)!.labels).toEqual(['pool-ok']);
    expect(sandbox.issue(b.id)!.labelIds[0]).not.toBe(cached);
    // The one-document write was refused at its first field (nothing of it applied), so the
    // write-back read the issue again and wrote part by part: label, comment and badge all there.
    expect(sandbox.requestLog.entries.slice(from).map((e) => e.operationName)).toEqual([
      'PoolGuardWriteBackState',
      'PoolGuardWriteBack',
      'PoolGuardWriteBackState',
      'PoolGuardCreateLabel',
      'PoolGuardUpdateLabels',
      'PoolGuardCreateComment',
      'PoolGuardUpsertBadge',
    ]);
    expect(result.calls).toBe(7);
    expect(sandbox.issue(b.id)!.comments.map((c) => c.id)).toEqual([result.commentId]);
    expect(sandbox.issue(b.id)!.attachments).toHaveLength(1);
    // someone creates pool-near-limit in ENG after Pool Guard's lookup: it is found, not duplicated
    await sandbox.graphql('mutation($t: String!) { issueLabelCreate(input: { name: "pool-near-limit", teamId: $t }) { success } }', { t: a.team.id });
    await client.writeBack(command(a, { labels: { add: ['pool-near-limit'], remove: ['pool-ok'] } }));
    expect(sandbox.issue(a.id)!.labels).toEqual(['pool-near-limit']);
    expect([...sandbox.store.labels.values()].filter((l) => l.name === 'pool-near-limit')).toHaveLength(1);
  });

  it('finds its comment by title when the id is unknown or gone, and recreates it when deleted', async () => {
    const issue = await sandbox.createIssue({ team: 'ENG', title: 'Comments' });
    await sandbox.graphql('mutation($id: String!) { commentCreate(input: { issueId: $id, body: "**Custom-work pool**\\n\\nold" }) { success } }', { id: issue.id }, 'bot');
    await sandbox.graphql('mutation($id: String!) { commentCreate(input: { issueId: $id, body: "I am a human" }) { success } }', { id: issue.id });
    const existing = sandbox.issue(issue.id)!.comments[0]!.id;
    const client = connect();
    const found = await client.writeBack(command(issue, { comment: { doc: doc('Fits in the pool.'), commentId: 'gone-id' } }));
    expect(found.commentId).toBe(existing);
    expect(sandbox.issue(issue.id)!.comments.map((c) => c.body.split('\n')[0])).toEqual(['**Custom-work pool**', 'I am a human']);

    // an admin deletes Pool Guard's comment: the next write-back creates a new one
    await sandbox.graphql('mutation($id: String!) { commentDelete(id: $id) { success } }', { id: existing });
    const recreated = await client.writeBack(command(issue, { comment: { doc: doc('Fits in the pool.'), commentId: existing } }));
    expect(recreated.commentId).not.toBe(existing);
    expect(sandbox.issue(issue.id)!.comments.filter((c) => c.userId === botUserId)).toHaveLength(1);
  });

  it('leaves one Pool Guard comment when a race left two', async () => {
    const issue = await sandbox.createIssue({ team: 'ENG', title: 'Twins' });
    for (const body of ['**Custom-work pool**\n\none', '**Custom-work pool**\n\ntwo']) {
      await sandbox.graphql('mutation($id: String!, $b: String!) { commentCreate(input: { issueId: $id, body: $b }) { success } }', { id: issue.id, b: body }, 'bot');
    }
    const [oldest] = sandbox.issue(issue.id)!.comments;
    const result = await connect().writeBack(command(issue, { comment: { doc: doc('Fits in the pool.'), commentId: null } }));
    expect(result.commentId).toBe(oldest!.id);
    expect(sandbox.issue(issue.id)!.comments).toHaveLength(1);
  });

  it('removes the badge when it is null, and leaves other attachments alone', async () => {
    const issue = await sandbox.createIssue({ team: 'ENG', title: 'Badge' });
    await sandbox.graphql('mutation($id: String!) { attachmentCreate(input: { issueId: $id, url: "https://github.com/acme/pr/1", title: "PR" }) { success } }', { id: issue.id });
    const client = connect();
    await client.writeBack(command(issue, { badge: badge('ok', 1) }));
    expect(sandbox.issue(issue.id)!.attachments.map((a) => a.title).sort()).toEqual(['Custom-work pool', 'PR']);
    const removed = await client.writeBack(command(issue, { badge: null }));
    expect(removed.calls).toBe(2);
    expect(sandbox.issue(issue.id)!.attachments.map((a) => a.title)).toEqual(['PR']);
    expect((await client.writeBack(command(issue, { badge: null }))).calls).toBe(1);
  });

  it('uses the configured badge URL base and replaces a badge left under an old identifier', async () => {
    const issue = await sandbox.createIssue({ team: 'ENG', title: 'Moves' });
    const client = createLinearPlugin({ badgeUrlBase: 'https://pool-guard.example.com/t/linear/' }).connect(tenant(), { logger: silentLogger() });
    await client.writeBack(command(issue, { badge: badge('ok', 1) }));
    expect(sandbox.issue(issue.id)!.attachments[0]!.url).toBe('https://pool-guard.example.com/t/linear/ENG-1');
    await sandbox.graphql('mutation($id: String!, $t: String!) { issueUpdate(id: $id, input: { teamId: $t }) { success } }', { id: issue.id, t: SANDBOX_SEED.teams.OPS });
    await client.writeBack(command(issue, { badge: { ...badge('ok', 1), scope: 'OPS' } }));
    expect(sandbox.issue(issue.id)!.attachments.map((a) => a.url)).toEqual(['https://pool-guard.example.com/t/linear/OPS-1']);
  });

  it('does nothing for an empty command, and refuses a trashed or unknown issue with not_found', async () => {
    const client = connect();
    const issue = await sandbox.createIssue({ team: 'ENG', title: 'Soon gone' });
    expect(await client.writeBack(command(issue, {}))).toEqual({ commentId: null, calls: 0 });
    await sandbox.graphql('mutation($id: String!) { issueDelete(id: $id) { success } }', { id: issue.id });
    expect((await failure(client.writeBack(command(issue, { badge: null })))).kind).toBe('not_found');
    expect((await failure(client.writeBack({ ticketKey: 'ENG-77', ticketId: '', badge: null }))).kind).toBe('not_found');
  });

  it('produces echo webhooks whose actor is whoAmI()', async () => {
    const receiver = await startWebhookReceiver();
    const hook = sandbox.registerWebhook({ url: receiver.url, secret: 'whsec', resourceTypes: ['Issue', 'Comment'] });
    try {
      const issue = await sandbox.createIssue({ team: 'ENG', title: 'Echo', labels: ['custom-request'] });
      const client = connect();
      await client.writeBack(command(issue, { labels: { add: ['pool-ok'], remove: [] }, comment: { doc: doc('Fits in the pool.'), commentId: null } }));
      await sandbox.idle();
      const me = await client.whoAmI();
      const events = receiver.received.flatMap((d) => {
        const parsed = parseWebhook({ headers: d.headers, body: d.body }, d.json);
        return parsed.ok ? parsed.webhook.events : [];
      });
      expect(events.map((e) => [e.kind, e.ticketKey, e.actorId === me.accountId ? 'echo' : 'other'])).toEqual([
        ['ticket.changed', 'ENG-1', 'other'],
        ['ticket.changed', 'ENG-1', 'echo'],
        ['ticket.changed', 'ENG-1', 'echo'],
      ]);
    } finally {
      sandbox.unregisterWebhook(hook.id);
      await receiver.close();
    }
  });
});

describe('listTickets', () => {
  it('pages through custom requests of the given teams, updated since a time', async () => {
    for (let i = 1; i <= 5; i += 1) await sandbox.createIssue({ team: 'ENG', title: `ENG custom ${i}`, labels: ['custom-request'] });
    await sandbox.createIssue({ team: 'ENG', title: 'ENG plain' });
    await sandbox.createIssue({ team: 'OPS', title: 'OPS custom', labels: ['custom-request'] });
    const client = connect();
    const keys: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await client.listTickets({ scopes: ['ENG'], labels: ['custom-request'], updatedSince: null, cursor, pageSize: 2 });
      keys.push(...page.tickets.map((t) => t.key));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(keys.sort()).toEqual(['ENG-1', 'ENG-2', 'ENG-3', 'ENG-4', 'ENG-5']);
    expect(pages).toBe(3);

    const all = await client.listTickets({ scopes: [], labels: ['custom-request'], updatedSince: null, cursor: null, pageSize: 50 });
    expect(all.tickets.map((t) => t.key).sort()).toEqual(['ENG-1', 'ENG-2', 'ENG-3', 'ENG-4', 'ENG-5', 'OPS-1']);
    expect(all.nextCursor).toBeNull();
    const later = new Date(Date.now() + 60_000).toISOString();
    expect((await client.listTickets({ scopes: [], labels: ['custom-request'], updatedSince: later, cursor: null, pageSize: 50 })).tickets).toEqual([]);
  });

  it('includes issues linked to a customer request when the tenant counts them', async () => {
    const linked = await sandbox.createIssue({ team: 'ENG', title: 'Linked only' });
    await sandbox.addCustomerNeed(linked.identifier);
    await sandbox.createIssue({ team: 'ENG', title: 'Neither' });
    const query = { scopes: ['ENG'], labels: ['custom-request'], updatedSince: null, cursor: null, pageSize: 10 };
    expect((await connect().listTickets(query)).tickets).toEqual([]);
    const withNeeds = await connect({ includeLinkedCustomerRequests: true }).listTickets(query);
    expect(withNeeds.tickets.map((t) => [t.key, t.linkedToCustomerRequest])).toEqual([['ENG-1', true]]);
  });
});

describe('errors', () => {
  it('maps RATELIMITED to rate_limited with retryAfterMs from the reset header', async () => {
    await sandbox.createIssue({ team: 'ENG', title: 'x' });
    sandbox.faults.add({ operation: 'PoolGuardFetchTicket', kind: 'ratelimited', times: 1, resetInMs: 45_000 });
    const err = await failure(connect().fetchTicket('ENG-1'));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBeGreaterThan(40_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(45_000);
  });

  it('prefers Retry-After, and maps a bare 429 to rate_limited', async () => {
    sandbox.faults.add({ kind: 'ratelimited', times: 1, retryAfterSeconds: 7 });
    expect(await failure(connect().fetchTicket('ENG-1'))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7_000 });
    sandbox.faults.add({ kind: 'http429', times: 1, resetInMs: 20_000 });
    const err = await failure(connect().fetchTicket('ENG-1'));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterMs).toBeGreaterThan(15_000);
  });

  it('maps a write-back hitting the rate limit to rate_limited', async () => {
    const issue = await sandbox.createIssue({ team: 'ENG', title: 'x' });
    sandbox.faults.add({ operation: 'attachmentCreate', kind: 'ratelimited', times: 1, resetInMs: 10_000 });
    const err = await failure(connect().writeBack(command(issue, { badge: badge('ok', 1) })));
    expect(err.kind).toBe('rate_limited');
    // the retry converges
    await connect().writeBack(command(issue, { badge: badge('ok', 1) }));
    expect(sandbox.issue(issue.id)!.attachments).toHaveLength(1);
  });

  it('maps a bad API key to auth, and never puts the key in the message', async () => {
    const client = connect({ apiKey: 'lin_api_wrong_key_123' });
    const err = await failure(client.whoAmI());
    expect(err.kind).toBe('auth');
    expect(err.retryable).toBe(false);
    expect(err.message).not.toContain('lin_api_wrong_key_123');
    expect((await failure(client.fetchTicket('ENG-1'))).kind).toBe('auth');
  });

  it('maps a 500 to transient', async () => {
    sandbox.faults.add({ kind: 'http500', times: 1 });
    expect(await failure(connect().fetchTicket('ENG-1'))).toMatchObject({ kind: 'transient', status: 500 });
  });

  it('maps an unreachable Linear and a silent one to transient', async () => {
    const dead = http.createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const { port } = dead.address() as AddressInfo;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    expect((await failure(connect({ apiUrl: `http://127.0.0.1:${port}/graphql` }).fetchTicket('ENG-1'))).kind).toBe('transient');

    const silent = http.createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const silentPort = (silent.address() as AddressInfo).port;
      const client = createLinearPlugin({ requestTimeoutMs: 200 }).connect(tenant({ apiUrl: `http://127.0.0.1:${silentPort}/graphql` }), { logger: silentLogger() });
      const err = await failure(client.fetchTicket('ENG-1'));
      expect(err.kind).toBe('transient');
      expect(err.message).toContain('did not answer within 200 ms');
    } finally {
      await new Promise<void>((resolve) => {
        silent.close(() => resolve());
        silent.closeAllConnections();
      });
    }
  });

  it('refuses to connect a Jira tenant', () => {
    expect(() =>
      linearPlugin.connect({ ...tenant(), tracker: 'jira' } as unknown as Parameters<typeof linearPlugin.connect>[0], { logger: silentLogger() }),
    ).toThrow(/tracker is "jira"/);
  });
});
