import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { errorAnswer } from '@pool-guard/shared/http';
import type { TrackerId } from '@pool-guard/shared/tracker';
import type { ReceiverDeps } from '../receiver-deps.js';
import { hasContentEncoding, readRawBody } from './read-webhook-body.js';
import { answerWebhook, isTracker, MAX_WEBHOOK_BYTES, replyJson } from './webhooks.js';

const PREFIX = '/webhooks/';

/**
 * The tracker and tenant of a plain `POST /webhooks/{jira|linear}/{tenant}` (a trailing slash or a
 * query allowed), or null for anything else. Null also for forms express treats specially — other
 * letter cases, percent-encoded tenants, unknown trackers — so express answers those exactly as
 * its route does.
 */
export function plainWebhookTarget(method: string | undefined, url: string | undefined): { tracker: TrackerId; tenantId: string } | null {
  if (method !== 'POST' || url === undefined || !url.startsWith(PREFIX)) return null;
  const query = url.indexOf('?', PREFIX.length);
  let path = query === -1 ? url.slice(PREFIX.length) : url.slice(PREFIX.length, query);
  if (path.endsWith('/')) path = path.slice(0, -1);
  const slash = path.indexOf('/');
  if (slash <= 0) return null;
  const tracker = path.slice(0, slash);
  const tenantId = path.slice(slash + 1);
  if (!isTracker(tracker) || tenantId.length === 0 || tenantId.includes('/') || tenantId.includes('%')) return null;
  return { tracker, tenantId };
}

/**
 * The receiver's request listener: plain webhook deliveries are read and answered on `node:http`
 * directly, everything else (`/healthz`, 404s, compressed bodies, odd paths) goes to `app`.
 *
 * Why: under load express's own per-request work (its request and response objects, routing, the
 * garbage they leave) cost more CPU than all of a webhook's own work — signature, parse, the Redis
 * round trip — and its garbage lengthened every scavenge (BENCHMARKS.md, section 1). The answers
 * are the same: the same body reader, use case and replies as the express route
 * (`mountWebhooks`), which stays mounted for the requests passed on.
 */
export function withWebhookFastLane(deps: ReceiverDeps, app: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const target = hasContentEncoding(req) ? null : plainWebhookTarget(req.method, req.url);
    if (target === null) {
      app(req, res);
      return;
    }
    // Errors are answered as the express app's error handler answers them.
    const fail = (err: unknown) => {
      if (res.headersSent) {
        res.end();
        return;
      }
      const answer = errorAnswer(err);
      if (answer.internal) deps.logger.error({ err: (err as { message?: string } | null | undefined)?.message, tracker: target.tracker, tenant: target.tenantId }, 'unhandled error');
      replyJson(res, answer.status, JSON.stringify(answer.body));
    };
    readRawBody(req, MAX_WEBHOOK_BYTES, (error, body) => {
      if (error) fail(error);
      else answerWebhook(deps, target.tracker, target.tenantId, req, res, body).catch(fail);
    });
  };
}
