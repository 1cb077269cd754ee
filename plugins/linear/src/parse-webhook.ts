/**
 * Linear webhook JSON -> Pool Guard events. Pure; never throws.
 *
 *  - `Issue` create/update -> `ticket.changed`; `remove`, or an update leaving the issue trashed or
 *    archived -> `ticket.deleted` (Linear may report trash/archive either way);
 *  - `Comment` -> `ticket.changed` for the comment's issue (someone may have deleted or edited
 *    Pool Guard's comment), ignored when the comment is not on an issue;
 *  - `IssueLabel` -> `ticket.changed` for its issue when the payload names one, else ignored
 *    (a label payload is the label itself);
 *  - `CustomerNeed` -> `ticket.changed` for the issue it links (linked customer requests count);
 *  - any other type -> no events (acknowledge and ignore).
 * `deliveryId` is `linear-delivery`; `actorId` is `actor.id` (for comments without an actor, the
 * author); `updatedAt` is the issue's `data.updatedAt` (null for non-Issue events, whose
 * `updatedAt` is not the issue's).
 */
import type { ParseResult, RawWebhook, TrackerEvent } from '@pool-guard/shared/tracker';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function epochMs(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

export function parseWebhook(input: RawWebhook, body: unknown): ParseResult {
  try {
    return parse(input, body);
  } catch (err) {
    return { ok: false, reason: `unreadable Linear payload: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function parse(input: RawWebhook, body: unknown): ParseResult {
  if (!isObject(body)) return { ok: false, reason: 'Linear payload is not a JSON object' };
  const type = str(body.type);
  const action = str(body.action);
  if (!type) return { ok: false, reason: 'Linear payload has no "type"' };
  if (!action) return { ok: false, reason: 'Linear payload has no "action"' };
  const deliveryId = str(input.headers['linear-delivery']) ?? null;
  const eventName = `${type}.${action}`;
  const data = body.data;
  const actor = isObject(body.actor) ? str(body.actor.id) : null;
  const ignored = (): ParseResult => ({ ok: true, webhook: { deliveryId, eventName, events: [] } });
  const events = (list: TrackerEvent[]): ParseResult => ({ ok: true, webhook: { deliveryId, eventName, events: list } });

  switch (type) {
    case 'Issue': {
      if (!isObject(data)) return { ok: false, reason: 'Linear Issue payload has no "data" object' };
      const ticketId = str(data.id);
      if (!ticketId) return { ok: false, reason: 'Linear Issue payload has no data.id' };
      const ticketKey = str(data.identifier) ?? ticketId;
      const updatedAt = epochMs(data.updatedAt);
      const gone = action === 'remove' || data.trashed === true || str(data.archivedAt) !== null;
      if (action !== 'create' && action !== 'update' && action !== 'remove') return ignored();
      return events([{ kind: gone ? 'ticket.deleted' : 'ticket.changed', ticketKey, ticketId, actorId: actor, updatedAt }]);
    }
    case 'Comment': {
      if (!isObject(data)) return { ok: false, reason: 'Linear Comment payload has no "data" object' };
      const issue = isObject(data.issue) ? data.issue : null;
      const ticketId = str(data.issueId) ?? (issue ? str(issue.id) : null);
      if (!ticketId) return ignored(); // a comment on a project update, document, ...
      const ticketKey = (issue ? str(issue.identifier) : null) ?? ticketId;
      return events([{ kind: 'ticket.changed', ticketKey, ticketId, actorId: actor ?? str(data.userId), updatedAt: null }]);
    }
    case 'IssueLabel':
    case 'CustomerNeed': {
      if (!isObject(data)) return { ok: false, reason: `Linear ${type} payload has no "data" object` };
      const issue = isObject(data.issue) ? data.issue : null;
      const ticketId = str(data.issueId) ?? (issue ? str(issue.id) : null);
      if (!ticketId) return ignored();
      const ticketKey = (issue ? str(issue.identifier) : null) ?? ticketId;
      return events([{ kind: 'ticket.changed', ticketKey, ticketId, actorId: actor, updatedAt: null }]);
    }
    default:
      return ignored();
  }
}
