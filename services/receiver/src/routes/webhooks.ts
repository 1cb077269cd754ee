import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IRouter, Request, Response } from 'express';
import type { TrackerId } from '@pool-guard/shared/tracker';
import { receiveWebhook, type ReceiveOutcome } from '../use-cases/receive-webhook.js';
import type { ReceiverDeps } from '../receiver-deps.js';
import { readWebhookBody } from './read-webhook-body.js';

/** Largest webhook body taken; larger ones get 413. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

const TRACKERS: readonly string[] = ['jira', 'linear'];

export function isTracker(name: string): name is TrackerId {
  return TRACKERS.includes(name);
}

/**
 * Node already lower-cases header names and joins repeated headers with ", " — all but
 * `set-cookie`, the one it keeps as an array, which no webhook carries; it is left out.
 */
function headersOf(req: IncomingMessage): Record<string, string | undefined> {
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
export function replyJson(res: ServerResponse, status: number, json: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(json)), ...headers });
  res.end(json);
}

function send(res: ServerResponse, tracker: TrackerId, outcome: ReceiveOutcome): void {
  switch (outcome.kind) {
    case 'accepted':
      replyJson(res, okStatus(tracker, 'accepted'), outcome.events === 1 ? ACCEPTED_ONE : JSON.stringify({ status: 'accepted', events: outcome.events }));
      return;
    case 'duplicate':
      replyJson(res, okStatus(tracker, 'duplicate'), DUPLICATE);
      return;
    case 'ignored':
      replyJson(res, okStatus(tracker, 'ignored'), JSON.stringify({ status: 'ignored', event: outcome.eventName }));
      return;
    case 'unknown_tenant':
      replyJson(res, 404, JSON.stringify({ error: 'unknown tenant' }));
      return;
    case 'bad_signature':
      replyJson(res, 401, JSON.stringify({ error: outcome.reason }));
      return;
    case 'bad_body':
      replyJson(res, 400, JSON.stringify({ error: outcome.reason }));
      return;
    case 'enqueue_failed':
      replyJson(res, 503, JSON.stringify({ error: 'could not store the event; retry later' }), { 'retry-after': '5' });
      return;
    default: {
      const _exhaustive: never = outcome;
      throw new Error(`unhandled outcome ${JSON.stringify(_exhaustive)}`);
    }
  }
}

/**
 * Takes one webhook whose raw bytes are read: verify, dedupe, append to the stream (the use case),
 * log what was not taken, answer. Shared by the express route and the fast lane in front of it.
 */
export async function answerWebhook(
  deps: ReceiverDeps,
  tracker: TrackerId,
  tenantId: string,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const outcome = await receiveWebhook(deps, { tracker, tenantId, raw: { headers: headersOf(req), body } });
  if (outcome.kind === 'ignored') {
    deps.logger.debug({ tracker, tenant: tenantId, event: outcome.eventName }, 'webhook ignored (not an event Pool Guard uses)');
  } else if (outcome.kind !== 'accepted' && outcome.kind !== 'duplicate') {
    deps.logger.info({ tracker, tenant: tenantId, outcome: outcome.kind, reason: 'reason' in outcome ? outcome.reason : undefined }, 'webhook not accepted');
  }
  send(res, tracker, outcome);
}

/**
 * Adds `POST /webhooks/{jira|linear}/{tenant}` to an app: raw bytes in, so the signature is checked
 * over exactly what was signed. Mounted on the app itself rather than a nested router, which would
 * match and rewrite the path twice per webhook. The receiver's server sends most webhooks past
 * express (`webhook-fast-lane.ts`); this route takes the rest (compressed bodies, unusual paths).
 */
export function mountWebhooks(app: IRouter, deps: ReceiverDeps): void {
  app.post('/webhooks/:tracker/:tenant', readWebhookBody(MAX_WEBHOOK_BYTES), async (req: Request, res: Response) => {
    const tracker = req.params.tracker as TrackerId;
    if (!isTracker(tracker)) {
      res.status(404).json({ error: `unknown tracker "${String(req.params.tracker)}"; use jira or linear` });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    await answerWebhook(deps, tracker, String(req.params.tenant), req, res, body);
  });
}
