import { createHash, randomBytes } from 'node:crypto';
import type { RawWebhook, TrackerId } from '@pool-guard/shared/tracker';
import type { ReceiverDeps } from '../receiver-deps.js';
import { ownAccountId } from './own-account.js';

export type ReceiveOutcome =
  | { kind: 'accepted'; deliveryId: string; events: number }
  | { kind: 'duplicate'; deliveryId: string }
  | { kind: 'ignored'; eventName: string }
  | { kind: 'unknown_tenant' }
  | { kind: 'bad_signature'; reason: string }
  | { kind: 'bad_body'; reason: string }
  | { kind: 'enqueue_failed'; reason: string };

/**
 * Takes one webhook delivery: verifies it, drops redeliveries, and makes its events durable on the
 * queue. Everything else happens in the worker, so this answers in milliseconds.
 */
export async function receiveWebhook(
  deps: ReceiverDeps,
  input: { tracker: TrackerId; tenantId: string; raw: RawWebhook },
): Promise<ReceiveOutcome> {
  const tenant = deps.tenants.get(input.tenantId);
  if (!tenant || tenant.config.tracker !== input.tracker) return { kind: 'unknown_tenant' };

  const verified = tenant.plugin.verify(input.raw, tenant.webhookSecrets, (deps.now ?? Date.now)());
  if (!verified.ok) return { kind: 'bad_signature', reason: verified.reason };

  let body: unknown;
  try {
    body = JSON.parse(input.raw.body.toString('utf8'));
  } catch {
    return { kind: 'bad_body', reason: 'body is not valid JSON' };
  }
  const parsed = tenant.plugin.parseWebhook(input.raw, body);
  if (!parsed.ok) return { kind: 'bad_body', reason: parsed.reason };
  const { webhook } = parsed;
  if (webhook.events.length === 0) return { kind: 'ignored', eventName: webhook.eventName };
  // Pool Guard's own writes come back as webhooks: drop them here rather than queue them.
  const own = await ownAccountId(deps, tenant.id);
  const events = own === null ? webhook.events : webhook.events.filter((e) => e.actorId !== own);
  if (events.length === 0) return { kind: 'ignored', eventName: webhook.eventName };

  // Without a delivery id, the body itself identifies the delivery (a retry sends the same bytes).
  const deliveryId = webhook.deliveryId ?? `sha256:${createHash('sha256').update(input.raw.body).digest('hex')}`;
  const once = `${tenant.id}:${deliveryId}`;
  const receivedAt = Date.now();
  const jobIdBase = `${tenant.id}:${safeId(deliveryId)}`;
  const [first, ...rest] = events;
  let added: boolean;
  try {
    // One round trip: the redelivery mark (kept DELIVERY_TTL_MS) and the first event's job are
    // written together, so the delivery is acknowledged only once it is durable, and a failed
    // enqueue leaves no mark behind.
    added = await deps.queues.addOnce(
      'tracker.event.apply',
      { tenant: tenant.id, deliveryId, receivedAt, event: first! },
      { jobId: `${jobIdBase}:0-${nextAttempt()}`, deduplicationId: once, ttlMs: DELIVERY_TTL_MS },
    );
  } catch (err) {
    return { kind: 'enqueue_failed', reason: (err as Error).message };
  }
  if (!added) return { kind: 'duplicate', deliveryId };
  if (rest.length > 0) {
    try {
      await Promise.all(
        rest.map((event, i) =>
          deps.queues.add('tracker.event.apply', { tenant: tenant.id, deliveryId, receivedAt, event }, { jobId: `${jobIdBase}:${i + 1}` }),
        ),
      );
    } catch (err) {
      // Not all durable: forget the delivery so the tracker's retry is taken (events already
      // queued are queued again; applying an event twice is safe).
      await deps.queues.forgetOnce('tracker.event.apply', once).catch(() => undefined);
      return { kind: 'enqueue_failed', reason: (err as Error).message };
    }
  }
  return { kind: 'accepted', deliveryId, events: events.length };
}

/** Jira retries for up to ~30 minutes and Linear for 6 hours; deliveries are remembered 7 days. */
export const DELIVERY_TTL_MS = 7 * 24 * 3600 * 1000;

/** A job id suffix unique to this attempt, so that a duplicate is told apart by the id it gets back. */
const PROCESS_TAG = randomBytes(4).toString('hex');
let attempts = 0;
function nextAttempt(): string {
  attempts = (attempts + 1) % Number.MAX_SAFE_INTEGER;
  return `${PROCESS_TAG}${attempts.toString(36)}`;
}

/** BullMQ job ids with a colon must have exactly three colon-separated parts (tenant:delivery:event); keep the delivery part plain. */
function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);
}
