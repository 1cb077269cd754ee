/**
 * Jira webhook JSON -> domain events. Issue events carry the REST v2 issue and a top-level `user`
 * (the account that made the change, so Pool Guard's own writes come back as echoes); comment events
 * carry `comment.author`/`updateAuthor` and a short issue. Unknown events are acknowledged and
 * ignored. Never throws.
 */
import type { ParseResult, RawWebhook, TrackerEvent } from '@pool-guard/shared/tracker';
import { parseJiraDate } from './jira-date.js';

export const DELIVERY_ID_HEADER = 'x-atlassian-webhook-identifier';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function accountIdOf(user: unknown): string | null {
  return isObject(user) && typeof user.accountId === 'string' && user.accountId !== '' ? user.accountId : null;
}

function idOf(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

const ISSUE_EVENTS = new Set(['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted']);
const COMMENT_EVENTS = new Set(['comment_created', 'comment_updated']);

export function parseWebhook(input: RawWebhook, body: unknown): ParseResult {
  try {
    const deliveryId = input.headers[DELIVERY_ID_HEADER]?.trim() || null;
    if (!isObject(body)) return { ok: false, reason: 'the webhook body is not a JSON object' };
    const eventName = body.webhookEvent;
    if (typeof eventName !== 'string' || eventName === '') return { ok: false, reason: 'the webhook body has no webhookEvent' };
    if (!ISSUE_EVENTS.has(eventName) && !COMMENT_EVENTS.has(eventName)) {
      return { ok: true, webhook: { deliveryId, eventName, events: [] } };
    }

    const issue = body.issue;
    if (!isObject(issue)) return { ok: false, reason: `${eventName} without an issue object` };
    const ticketId = idOf(issue.id);
    const key = typeof issue.key === 'string' && issue.key !== '' ? issue.key : null;
    if (ticketId === null && key === null) return { ok: false, reason: `${eventName} issue has neither id nor key` };
    const fields = isObject(issue.fields) ? issue.fields : {};
    const updatedAt = typeof fields.updated === 'string' ? parseJiraDate(fields.updated) : null;

    let actorId: string | null;
    if (COMMENT_EVENTS.has(eventName)) {
      const comment = isObject(body.comment) ? body.comment : {};
      actorId = accountIdOf(comment.updateAuthor) ?? accountIdOf(comment.author) ?? accountIdOf(body.user);
    } else {
      actorId = accountIdOf(body.user);
    }

    const event: TrackerEvent = {
      kind: eventName === 'jira:issue_deleted' ? 'ticket.deleted' : 'ticket.changed',
      ticketKey: key ?? (ticketId as string),
      ticketId: ticketId ?? (key as string),
      actorId,
      updatedAt,
    };
    return { ok: true, webhook: { deliveryId, eventName, events: [event] } };
  } catch (err) {
    return { ok: false, reason: `unreadable Jira webhook: ${err instanceof Error ? err.message : String(err)}` };
  }
}
