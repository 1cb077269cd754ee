import type { IRouter, Request, Response } from 'express';
import type { TrackerId } from '@pool-guard/shared/tracker';
import { receiveWebhook, type ReceiveOutcome } from '../use-cases/receive-webhook.js';
import type { ReceiverDeps } from '../receiver-deps.js';
import { readWebhookBody } from './read-webhook-body.js';

/** Largest webhook body taken; larger ones get 413. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

const TRACKERS: readonly TrackerId[] = ['jira', 'linear'];

/**
 * Node already lower-cases header names and joins repeated headers with ", " — all but
 * `set-cookie`, the one it keeps as an array, which no webhook carries; it is left out.
 */
function headersOf(req: Request): Record<string, string | undefined> {
  const headers = req.headers;
  if (headers['set-cookie'] === undefined) return headers as Record<string, string | undefined>;
  const { 'set-cookie': _dropped, ...rest } = headers;
  return rest as Record<string, string | undefined>;
}

/**
 * The success status a tracker expects: Linear treats anything but exactly 200 as a failure and
 * retries; Jira takes any 2xx (202 says "accepted, processing later").
 */
function okStatus(tracker: TrackerId, outcome: 'accepted' | 'duplicate' | 'ignored'): number {
  if (tracker === 'linear') return 200;
  return outcome === 'duplicate' ? 200 : 202;
}

/** Answers that never change, serialised once. */
const ACCEPTED_ONE = JSON.stringify({ status: 'accepted', events: 1 });
const DUPLICATE = JSON.stringify({ status: 'duplicate' });

/**
 * Writes a small JSON answer straight to the socket. Express's `res.json` also computes an ETag
 * (a hash of the body) and checks freshness on every answer, which a webhook sender never uses;
 * on the receiver's hot path that machinery cost more than verifying the signature.
 */
function reply(res: Response, status: number, json: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(json)), ...headers });
  res.end(json);
}

function send(res: Response, tracker: TrackerId, outcome: ReceiveOutcome): void {
  switch (outcome.kind) {
    case 'accepted':
      reply(res, okStatus(tracker, 'accepted'), outcome.events === 1 ? ACCEPTED_ONE : JSON.stringify({ status: 'accepted', events: outcome.events }));
      return;
    case 'duplicate':
      reply(res, okStatus(tracker, 'duplicate'), DUPLICATE);
      return;
    case 'ignored':
      reply(res, okStatus(tracker, 'ignored'), JSON.stringify({ status: 'ignored', event: outcome.eventName }));
      return;
    case 'unknown_tenant':
      reply(res, 404, JSON.stringify({ error: 'unknown tenant' }));
      return;
    case 'bad_signature':
      reply(res, 401, JSON.stringify({ error: outcome.reason }));
      return;
    case 'bad_body':
      reply(res, 400, JSON.stringify({ error: outcome.reason }));
      return;
    case 'enqueue_failed':
      reply(res, 503, JSON.stringify({ error: 'could not store the event; retry later' }), { 'retry-after': '5' });
      return;
    default: {
      const _exhaustive: never = outcome;
      throw new Error(`unhandled outcome ${JSON.stringify(_exhaustive)}`);
    }
  }
}

/**
 * Adds `POST /webhooks/{jira|linear}/{tenant}` to an app: raw bytes in, so the signature is checked
 * over exactly what was signed. Mounted on the app itself rather than a nested router, which would
 * match and rewrite the path twice per webhook.
 */
export function mountWebhooks(app: IRouter, deps: ReceiverDeps): void {
  app.post('/webhooks/:tracker/:tenant', readWebhookBody(MAX_WEBHOOK_BYTES), async (req: Request, res: Response) => {
    const tracker = req.params.tracker as TrackerId;
    if (!TRACKERS.includes(tracker)) {
      res.status(404).json({ error: `unknown tracker "${String(req.params.tracker)}"; use jira or linear` });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const outcome = await receiveWebhook(deps, {
      tracker,
      tenantId: String(req.params.tenant),
      raw: { headers: headersOf(req), body },
    });
    if (outcome.kind === 'ignored') {
      deps.logger.debug({ tracker, tenant: req.params.tenant, event: outcome.eventName }, 'webhook ignored (not an event Pool Guard uses)');
    } else if (outcome.kind !== 'accepted' && outcome.kind !== 'duplicate') {
      deps.logger.info({ tracker, tenant: req.params.tenant, outcome: outcome.kind, reason: 'reason' in outcome ? outcome.reason : undefined }, 'webhook not accepted');
    }
    send(res, tracker, outcome);
  });
}
