/**
 * Delivers Linear-style webhooks: the body Linear sends (`action`, `actor`, `createdAt`, `data`,
 * `updatedFrom`, `url`, `type`, `organizationId`, `webhookTimestamp`, `webhookId`), signed with
 * HMAC-SHA256 over the exact bytes in `Linear-Signature`, with `Linear-Delivery` and `Linear-Event`.
 * Any answer but 200 is retried after short configurable delays (Linear waits 1 min, 1 h, 6 h).
 * First attempts to one webhook go out in order; `idle()` resolves when nothing is in flight.
 */
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

export type WebhookResourceType = 'Issue' | 'Comment' | 'IssueLabel' | 'Attachment' | 'CustomerNeed';

export interface WebhookRegistration {
  url: string;
  secret: string;
  resourceTypes: readonly string[];
}

export interface RegisteredWebhook extends WebhookRegistration {
  id: string;
  enabled: boolean;
}

export interface WebhookActor {
  id: string;
  name: string;
  email: string;
  url: string;
  type: 'user';
}

export interface EntityChange {
  action: 'create' | 'update' | 'remove';
  type: WebhookResourceType;
  data: Record<string, unknown>;
  updatedFrom?: Record<string, unknown>;
  url: string;
  actor: WebhookActor;
  createdAt: string;
}

export interface DeliveryRecord {
  deliveryId: string;
  webhookId: string;
  url: string;
  event: string;
  action: string;
  attempts: number;
  statuses: Array<number | string>;
  state: 'pending' | 'delivered' | 'failed';
  /** The exact body bytes of the last attempt. */
  lastBody: string;
}

export interface WebhookDispatcherOptions {
  organizationId: string;
  /** Delay before each retry; its length is the number of retries. Linear: 1 min, 1 h, 6 h. */
  retryDelaysMs: readonly number[];
  /** A delivery not answered within this is a failure (Linear: 5 s). */
  timeoutMs: number;
  now: () => number;
}

export class WebhookDispatcher {
  private readonly hooks = new Map<string, RegisteredWebhook>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<http.ClientRequest>();
  private pending = 0;
  private waiters: Array<() => void> = [];
  private closed = false;
  readonly deliveries: DeliveryRecord[] = [];

  constructor(private readonly options: WebhookDispatcherOptions) {}

  register(registration: WebhookRegistration): RegisteredWebhook {
    if (!/^https?:\/\//.test(registration.url)) throw new Error(`webhook url must be http(s): ${registration.url}`);
    if (!registration.secret) throw new Error('webhook secret must not be empty');
    const hook: RegisteredWebhook = { ...registration, resourceTypes: [...registration.resourceTypes], id: randomUUID(), enabled: true };
    this.hooks.set(hook.id, hook);
    return hook;
  }

  unregister(id: string): void {
    this.hooks.delete(id);
  }

  list(): RegisteredWebhook[] {
    return [...this.hooks.values()];
  }

  /** Queues one change for every webhook subscribed to its resource type. */
  emit(change: EntityChange): void {
    if (this.closed) return;
    for (const hook of this.hooks.values()) {
      if (!hook.enabled || !hook.resourceTypes.includes(change.type)) continue;
      const record: DeliveryRecord = {
        deliveryId: randomUUID(),
        webhookId: hook.id,
        url: hook.url,
        event: change.type,
        action: change.action,
        attempts: 0,
        statuses: [],
        state: 'pending',
        lastBody: '',
      };
      this.deliveries.push(record);
      this.pending += 1;
      const previous = this.chains.get(hook.id) ?? Promise.resolve();
      const next = previous.then(() => this.attempt(hook, change, record, 0));
      this.chains.set(hook.id, next);
    }
  }

  /** Resolves when every queued delivery, retries included, has succeeded or given up. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops queued deliveries and pending retries (registrations are kept). */
  cancelPending(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const req of this.inflight) req.destroy();
    this.inflight.clear();
    this.chains.clear();
    for (const record of this.deliveries) if (record.state === 'pending') record.state = 'failed';
    this.pending = 0;
    this.settleWaiters();
  }

  close(): void {
    this.closed = true;
    this.cancelPending();
  }

  private settleWaiters(): void {
    if (this.pending !== 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private finish(record: DeliveryRecord, state: 'delivered' | 'failed'): void {
    if (record.state !== 'pending') return; // cancelled meanwhile
    record.state = state;
    this.pending -= 1;
    this.settleWaiters();
  }

  private async attempt(hook: RegisteredWebhook, change: EntityChange, record: DeliveryRecord, retry: number): Promise<void> {
    if (this.closed || record.state !== 'pending') return;
    // Each attempt is stamped and signed anew, so a retry passes the receiver's 60 s freshness check.
    const body = JSON.stringify({
      action: change.action,
      actor: change.actor,
      createdAt: change.createdAt,
      data: change.data,
      ...(change.updatedFrom ? { updatedFrom: change.updatedFrom } : {}),
      url: change.url,
      type: change.type,
      organizationId: this.options.organizationId,
      webhookTimestamp: this.options.now(),
      webhookId: hook.id,
    });
    record.attempts += 1;
    record.lastBody = body;
    const signature = createHmac('sha256', hook.secret).update(body).digest('hex');
    const status = await this.post(hook.url, body, {
      'Accept-Charset': 'utf-8',
      'Content-Type': 'application/json; charset=utf-8',
      'Linear-Delivery': record.deliveryId,
      'Linear-Event': change.type,
      'Linear-Signature': signature,
      'User-Agent': 'Linear-Webhook',
    });
    if (record.state !== 'pending') return;
    record.statuses.push(status);
    if (status === 200) {
      this.finish(record, 'delivered');
      return;
    }
    const delay = this.options.retryDelaysMs[retry];
    if (delay === undefined || this.closed) {
      this.finish(record, 'failed');
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(hook, change, record, retry + 1);
    }, delay);
    this.timers.add(timer);
  }

  /** POSTs without connection reuse, so no socket outlives the delivery. Resolves to the status or an error name. */
  private post(url: string, body: string, headers: Record<string, string>): Promise<number | string> {
    return new Promise((resolve) => {
      const target = new URL(url);
      const transport = target.protocol === 'https:' ? https : http;
      const req = transport.request(
        target,
        { method: 'POST', agent: false, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', () => resolve('response-error'));
        },
      );
      this.inflight.add(req);
      req.setTimeout(this.options.timeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', (err) => resolve(err.message === 'timeout' ? 'timeout' : 'connection-error'));
      req.on('close', () => this.inflight.delete(req));
      req.end(body);
    });
  }
}
