import { parseWebhook } from '../src/parse-webhook.js';
import { fixture } from './fixtures.js';

const ISSUE_ID = '2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9';
const MIA = 'aacdca22-6266-4c0a-ab3c-8fa70a26765c';

function parseFixture(name: Parameters<typeof fixture>[0]) {
  const f = fixture(name);
  return parseWebhook({ headers: f.headers, body: f.body }, JSON.parse(f.body.toString('utf8')));
}

describe('parseWebhook', () => {
  it('turns an Issue create into ticket.changed', () => {
    expect(parseFixture('linear-issue-create.json')).toEqual({
      ok: true,
      webhook: {
        deliveryId: '234d1a4e-b617-4388-90fe-adc3633d6b72',
        eventName: 'Issue.create',
        events: [{ kind: 'ticket.changed', ticketKey: 'ENG-342', ticketId: ISSUE_ID, actorId: MIA, updatedAt: Date.parse('2026-11-26T09:20:11.482Z') }],
      },
    });
  });

  it('turns an Issue update into ticket.changed with the new updatedAt', () => {
    expect(parseFixture('linear-issue-update.json')).toEqual({
      ok: true,
      webhook: {
        deliveryId: '8f0c2d5e-61a4-4b1f-9d6e-3c2b1a0f9e8d',
        eventName: 'Issue.update',
        events: [{ kind: 'ticket.changed', ticketKey: 'ENG-342', ticketId: ISSUE_ID, actorId: MIA, updatedAt: Date.parse('2026-11-27T09:31:02.115Z') }],
      },
    });
  });

  it('turns an Issue remove into ticket.deleted', () => {
    expect(parseFixture('linear-issue-remove.json')).toEqual({
      ok: true,
      webhook: {
        deliveryId: 'c4b3a2f1-0e9d-4c8b-8a7f-6e5d4c3b2a19',
        eventName: 'Issue.remove',
        events: [{ kind: 'ticket.deleted', ticketKey: 'ENG-342', ticketId: ISSUE_ID, actorId: MIA, updatedAt: Date.parse('2026-11-27T10:05:47.901Z') }],
      },
    });
  });

  it('turns a Comment create into ticket.changed for its issue (the author is the actor when none is given)', () => {
    expect(parseFixture('linear-comment-create.json')).toEqual({
      ok: true,
      webhook: {
        deliveryId: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
        eventName: 'Comment.create',
        events: [
          {
            kind: 'ticket.changed',
            ticketKey: '539068e2-ae88-4d09-bd75-22eb4a59612f',
            ticketId: '539068e2-ae88-4d09-bd75-22eb4a59612f',
            actorId: MIA,
            updatedAt: null,
          },
        ],
      },
    });
  });

  it('treats an update that trashes or archives the issue as ticket.deleted', () => {
    const update = fixture('linear-issue-update.json').json as { data: Record<string, unknown> };
    const trashed = { ...update, data: { ...update.data, trashed: true } };
    const archived = { ...update, data: { ...update.data, archivedAt: '2026-11-27T10:00:00.000Z' } };
    for (const body of [trashed, archived]) {
      const result = parseWebhook({ headers: {}, body: Buffer.alloc(0) }, body);
      expect(result.ok && result.webhook.events.map((e) => e.kind)).toEqual(['ticket.deleted']);
      expect(result.ok && result.webhook.deliveryId).toBeNull();
    }
  });

  it('uses the identifier of the issue embedded in a comment payload', () => {
    const body = {
      action: 'update',
      type: 'Comment',
      actor: { id: 'u-1', type: 'user' },
      data: { id: 'c-1', body: 'x', issueId: 'i-1', userId: 'u-2', issue: { id: 'i-1', identifier: 'OPS-7', title: 't' } },
    };
    const result = parseWebhook({ headers: { 'linear-delivery': 'd' }, body: Buffer.alloc(0) }, body);
    expect(result).toEqual({
      ok: true,
      webhook: { deliveryId: 'd', eventName: 'Comment.update', events: [{ kind: 'ticket.changed', ticketKey: 'OPS-7', ticketId: 'i-1', actorId: 'u-1', updatedAt: null }] },
    });
  });

  it('ignores IssueLabel payloads without an issue, comments not on issues, and other types', () => {
    const ignoredBodies = [
      { action: 'create', type: 'IssueLabel', data: { id: 'l-1', name: 'pool-ok', teamId: 't-1' } },
      { action: 'create', type: 'Comment', data: { id: 'c-1', body: 'x', projectUpdateId: 'p-1' } },
      { action: 'update', type: 'Project', data: { id: 'p-1' } },
      { action: 'create', type: 'Attachment', data: { id: 'a-1', issueId: 'i-1' } },
      { action: 'create', type: 'Reaction', data: { id: 'r-1' } },
    ];
    for (const body of ignoredBodies) {
      const result = parseWebhook({ headers: {}, body: Buffer.alloc(0) }, body);
      expect(result).toEqual({ ok: true, webhook: { deliveryId: null, eventName: `${body.type}.${body.action}`, events: [] } });
    }
  });

  it('maps a CustomerNeed linked to an issue to ticket.changed', () => {
    const body = { action: 'create', type: 'CustomerNeed', actor: { id: 'u-1' }, data: { id: 'n-1', issueId: 'i-9' } };
    const result = parseWebhook({ headers: {}, body: Buffer.alloc(0) }, body);
    expect(result.ok && result.webhook.events).toEqual([{ kind: 'ticket.changed', ticketKey: 'i-9', ticketId: 'i-9', actorId: 'u-1', updatedAt: null }]);
  });

  it('rejects malformed bodies without throwing', () => {
    const bad: unknown[] = [
      null,
      'text',
      [1, 2],
      {},
      { type: 'Issue' },
      { action: 'create' },
      { type: 'Issue', action: 'create' },
      { type: 'Issue', action: 'create', data: [] },
      { type: 'Issue', action: 'update', data: { identifier: 'ENG-1' } },
      { type: 'Comment', action: 'create', data: 'x' },
    ];
    for (const body of bad) {
      const result = parseWebhook({ headers: {}, body: Buffer.alloc(0) }, body);
      expect(result.ok).toBe(false);
    }
  });

  it('never throws on hostile input', () => {
    const hostile = { type: 'Issue', action: 'create', get data(): never { throw new Error('boom'); } };
    expect(parseWebhook({ headers: {}, body: Buffer.alloc(0) }, hostile)).toEqual({ ok: false, reason: 'unreadable Linear payload: boom' });
  });
});
