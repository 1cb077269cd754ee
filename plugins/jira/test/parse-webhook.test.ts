import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { jiraPlugin, parseWebhook } from '../src/index.js';
import { fixture } from './fixtures.js';

const BRYAN = '99:27935d01-92a7-4687-8272-a9b8d3b2ae2e';
const MIA = '5b10a2844c20165700ede21g';
const raw = (headers: Record<string, string> = {}) => ({ headers, body: Buffer.alloc(0) });

describe('parseWebhook', () => {
  it('turns jira:issue_created into ticket.changed with the delivery id, actor and updated time', () => {
    const f = fixture('jira-issue-created.json');
    expect(jiraPlugin.parseWebhook({ headers: f.headers, body: f.body }, f.json)).toEqual({
      ok: true,
      webhook: {
        deliveryId: 'ffd3a3d7-0e6b-4f0c-9d3a-000000001001',
        eventName: 'jira:issue_created',
        events: [
          {
            kind: 'ticket.changed',
            ticketKey: 'CR-42',
            ticketId: '10042',
            actorId: MIA,
            // "2026-11-26T09:12:03.921+0000"
            updatedAt: Date.UTC(2026, 10, 26, 9, 12, 3, 921),
          },
        ],
      },
    });
  });

  it.each([
    ['jira-issue-updated-estimate-changed.json', 'ffd3a3d7-0e6b-4f0c-9d3a-000000001003', Date.UTC(2026, 10, 27, 9, 16, 27, 498)],
    ['jira-issue-updated-labels.json', 'ffd3a3d7-0e6b-4f0c-9d3a-000000001004', Date.UTC(2026, 10, 27, 9, 25, 11, 271)],
  ] as const)('turns %s into ticket.changed', (name, deliveryId, updatedAt) => {
    const f = fixture(name);
    const result = parseWebhook({ headers: f.headers, body: f.body }, f.json);
    expect(result).toEqual({
      ok: true,
      webhook: {
        deliveryId,
        eventName: 'jira:issue_updated',
        events: [{ kind: 'ticket.changed', ticketKey: 'CR-42', ticketId: '10042', actorId: BRYAN, updatedAt }],
      },
    });
  });

  it('turns jira:issue_deleted (no issue_event_type_name, no changelog) into ticket.deleted', () => {
    const f = fixture('jira-issue-deleted.json');
    const result = parseWebhook({ headers: f.headers, body: f.body }, f.json);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.webhook.deliveryId).toBe('ffd3a3d7-0e6b-4f0c-9d3a-000000001002');
    expect(result.webhook.events).toEqual([
      expect.objectContaining({ kind: 'ticket.deleted', ticketKey: 'CR-42', ticketId: '10042', actorId: BRYAN }),
    ]);
  });

  it('takes the actor of comment events from updateAuthor, else author', () => {
    const comment = (updateAuthor: unknown) => ({
      timestamp: 1764235511306,
      webhookEvent: 'comment_updated',
      comment: { id: '10100', author: { accountId: 'author-1' }, ...(updateAuthor ? { updateAuthor } : {}), body: 'text' },
      issue: { id: '10042', key: 'CR-42', fields: { summary: 'x' } },
    });
    const edited = parseWebhook(raw({ 'x-atlassian-webhook-identifier': 'd-1' }), comment({ accountId: 'editor-2' }));
    expect(edited).toEqual({
      ok: true,
      webhook: {
        deliveryId: 'd-1',
        eventName: 'comment_updated',
        events: [{ kind: 'ticket.changed', ticketKey: 'CR-42', ticketId: '10042', actorId: 'editor-2', updatedAt: null }],
      },
    });
    const created = parseWebhook(raw(), { ...comment(null), webhookEvent: 'comment_created' });
    expect(created.ok && created.webhook.events[0]?.actorId).toBe('author-1');
    expect(created.ok && created.webhook.deliveryId).toBeNull();
  });

  it('acknowledges and ignores events Pool Guard does not use', () => {
    for (const webhookEvent of ['sprint_started', 'issue_property_set', 'comment_deleted', 'jira:worklog_updated']) {
      expect(parseWebhook(raw(), { webhookEvent, issue: { id: '1', key: 'CR-1' } })).toEqual({
        ok: true,
        webhook: { deliveryId: null, eventName: webhookEvent, events: [] },
      });
    }
  });

  it('rejects bodies that are not objects or lack what an issue event needs', () => {
    const bad: unknown[] = [
      null,
      'jira:issue_created',
      42,
      [],
      {},
      { webhookEvent: 7 },
      { webhookEvent: 'jira:issue_updated' },
      { webhookEvent: 'jira:issue_updated', issue: 'CR-1' },
      { webhookEvent: 'jira:issue_created', issue: { fields: {} } },
      { webhookEvent: 'comment_created', comment: { author: { accountId: 'a' } } },
    ];
    for (const body of bad) {
      const result = parseWebhook(raw(), body);
      expect(result.ok).toBe(false);
      expect(result.ok === false && result.reason.length).toBeGreaterThan(0);
    }
  });

  it('tolerates odd but usable payloads: numeric ids, missing user and unreadable dates', () => {
    const result = parseWebhook(raw(), { webhookEvent: 'jira:issue_updated', issue: { id: 10042, key: 'CR-42', fields: { updated: 'yesterday' } } });
    expect(result).toEqual({
      ok: true,
      webhook: {
        deliveryId: null,
        eventName: 'jira:issue_updated',
        events: [{ kind: 'ticket.changed', ticketKey: 'CR-42', ticketId: '10042', actorId: null, updatedAt: null }],
      },
    });
  });

  it('never throws, whatever JSON arrives (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom('jira:issue_created', 'jira:issue_deleted', 'comment_created', 'x'), (value, event) => {
        expect(() => parseWebhook(raw(), value)).not.toThrow();
        const withEvent = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value, webhookEvent: event } : value;
        const result = parseWebhook(raw(), withEvent);
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });
});
