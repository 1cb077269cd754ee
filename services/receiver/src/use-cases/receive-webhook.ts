import { createHash } from 'node:crypto';
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
 * ingest stream. Everything else happens in the worker, so this answers in milliseconds.
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
  let appended: boolean;
  try {
    // One round trip: the redelivery mark (kept DELIVERY_TTL_MS) and the delivery's entry on the
    // ingest stream are written together, so the delivery is acknowledged only once it is durable,
    // and a failed append leaves no mark behind.
    appended = await deps.queues.ingest.appendOnce(
      { tenant: tenant.id, deliveryId, receivedAt: Date.now(), events },
      { deduplicationId: `${tenant.id}:${deliveryId}`, ttlMs: DELIVERY_TTL_MS },
    );
  } catch (err) {
    return { kind: 'enqueue_failed', reason: (err as Error).message };
  }
  return appended ? { kind: 'accepted', deliveryId, events: events.length } : { kind: 'duplicate', deliveryId };
}

/** Jira retries for up to ~30 minutes and Linear for 6 hours; deliveries are remembered 7 days. */
export const DELIVERY_TTL_MS = 7 * 24 * 3600 * 1000;
