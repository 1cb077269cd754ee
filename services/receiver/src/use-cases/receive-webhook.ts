import { createHash } from 'node:crypto';
import type { RawWebhook, TrackerId } from '@pool-guard/shared/tracker';
import type { ReceiverDeps } from '../receiver-deps.js';

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

  // Without a delivery id, the body itself identifies the delivery (a retry sends the same bytes).
  const deliveryId = webhook.deliveryId ?? `sha256:${createHash('sha256').update(input.raw.body).digest('hex')}`;
  if (!(await deps.deliveries.claim(tenant.id, deliveryId))) return { kind: 'duplicate', deliveryId };

  try {
    const receivedAt = Date.now();
    await Promise.all(
      webhook.events.map((event, i) =>
        deps.queues.add(
          'tracker.event.apply',
          { tenant: tenant.id, deliveryId, receivedAt, event },
          { jobId: `${tenant.id}:${safeId(deliveryId)}:${i}` },
        ),
      ),
    );
  } catch (err) {
    // Not durable: forget the delivery so the tracker's retry is taken, and ask for that retry.
    await deps.deliveries.release(tenant.id, deliveryId).catch(() => undefined);
    return { kind: 'enqueue_failed', reason: (err as Error).message };
  }
  return { kind: 'accepted', deliveryId, events: webhook.events.length };
}

/** BullMQ job ids may not contain ':' segments that look like numbers only; keep them plain. */
function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);
}
