/**
 * Outgoing webhooks, delivered like Jira Cloud's admin webhooks: a REST-v2-shaped JSON body, signed
 * with `X-Hub-Signature: sha256=<hmac of the exact bytes>` when the webhook has a secret, an
 * `X-Atlassian-Webhook-Identifier` that stays the same across retries, retries on 408/409/425/429/
 * 5xx and connection errors, and concurrent, unordered deliveries.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { commentJson, userJson, webhookIssueJson, webhookIssueSummaryJson, type RenderContext } from './issue-json.js';
import { matches, parseJql, type JqlContext } from './jql.js';
import type { SandboxChange, SandboxState } from './sandbox-state.js';

export interface WebhookRegistration {
  id: number;
  name: string;
  url: string;
  events: string[];
  /** JQL that issues must match (Jira's "issue-related-events-section" filter); null = all issues. */
  jqlFilter: string | null;
  /** Write-once: never shown by the REST API. */
  secret: string | null;
  excludeBody: boolean;
  enabled: boolean;
  lastUpdatedBy: string;
  lastUpdated: number;
}

export interface RegisterWebhookInput {
  url: string;
  events: string[];
  secret?: string | null;
  name?: string;
  jqlFilter?: string | null;
  excludeBody?: boolean;
}

export interface DeliveryRecord {
  identifier: string;
  webhookId: number;
  event: string;
  url: string;
  /** The exact bytes sent. */
  body: string;
  attempts: number;
  /** Status code of each attempt, or the error code when the connection failed. */
  results: (number | string)[];
  outcome: 'pending' | 'delivered' | 'failed' | 'cancelled';
}

export interface WebhookDeliveryOptions {
  /** Delay before retry n is n × this (Jira waits minutes; tests want milliseconds). Default 300. */
  retryDelayMs: number;
  /** Attempts in all, first included. Default 5. */
  maxAttempts: number;
  /** Per-attempt timeout. Default 10 000. */
  timeoutMs: number;
  /** Each delivery starts after a random 0..jitterMs wait, so deliveries may arrive out of order. */
  jitterMs: number;
}

const RETRY_STATUSES = new Set([408, 409, 425, 429]);

function newAgents(): { http: HttpAgent; https: HttpsAgent } {
  return { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
}

export class WebhookDelivery {
  private webhooks: WebhookRegistration[] = [];
  private nextId = 1;
  private pending = new Set<Promise<void>>();
  /** Bumped by every cancel: a delivery started before it stops at its next step. */
  private cancels = 0;
  /** Connections to receivers are kept alive between deliveries, as Jira's are; closed by `close`. */
  private agents = newAgents();
  /** Requests under way, destroyed when deliveries are cancelled (their answers no longer matter). */
  private readonly inflight = new Set<ClientRequest>();
  /** Waits under way (jitter, retry delays), ended early with false when deliveries are cancelled. */
  private readonly waits = new Map<NodeJS.Timeout, (finished: boolean) => void>();
  readonly deliveries: DeliveryRecord[] = [];

  constructor(
    private readonly state: SandboxState,
    private readonly baseUrl: () => string,
    private readonly options: WebhookDeliveryOptions,
  ) {}

  register(input: RegisterWebhookInput, byAccountId: string): WebhookRegistration {
    const webhook: WebhookRegistration = {
      id: this.nextId++,
      name: input.name ?? `webhook ${this.nextId - 1}`,
      url: input.url,
      events: [...input.events],
      jqlFilter: input.jqlFilter?.trim() ? input.jqlFilter.trim() : null,
      secret: input.secret ? input.secret : null,
      excludeBody: input.excludeBody ?? false,
      enabled: true,
      lastUpdatedBy: byAccountId,
      lastUpdated: this.state.now(),
    };
    if (webhook.jqlFilter !== null) parseJql(webhook.jqlFilter);
    this.webhooks.push(webhook);
    return webhook;
  }

  unregister(id: number): boolean {
    const before = this.webhooks.length;
    this.webhooks = this.webhooks.filter((w) => w.id !== id);
    return this.webhooks.length < before;
  }

  list(): readonly WebhookRegistration[] {
    return this.webhooks;
  }

  get(id: number): WebhookRegistration | undefined {
    return this.webhooks.find((w) => w.id === id);
  }

  /** Forgets registrations and history, cancelling deliveries in flight. */
  reset(keepWebhooks: boolean): void {
    this.cancelAll();
    if (!keepWebhooks) this.webhooks = [];
    this.deliveries.length = 0;
  }

  dispatch(change: SandboxChange): void {
    const event = EVENT_NAMES[change.kind];
    for (const webhook of this.webhooks) {
      if (!webhook.enabled || !webhook.events.includes(event)) continue;
      if (webhook.jqlFilter !== null && !this.filterMatches(webhook.jqlFilter, change)) continue;
      // "Exclude body": Jira then POSTs with an empty body (the receiver re-reads the issue).
      const body = webhook.excludeBody ? '' : JSON.stringify(this.payload(change, event, webhook));
      const record: DeliveryRecord = {
        identifier: randomUUID(),
        webhookId: webhook.id,
        event,
        url: webhook.url,
        body,
        attempts: 0,
        results: [],
        outcome: 'pending',
      };
      this.deliveries.push(record);
      const done = this.deliver(record, webhook.secret).finally(() => this.pending.delete(done));
      this.pending.add(done);
    }
  }

  /** Resolves once no delivery (retries included) is left. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  close(): void {
    this.cancelAll();
    this.agents.http.destroy();
    this.agents.https.destroy();
    this.agents = newAgents();
  }

  private cancelAll(): void {
    this.cancels++;
    for (const req of this.inflight) req.destroy();
    this.inflight.clear();
    for (const [timer, end] of this.waits) {
      clearTimeout(timer);
      end(false);
    }
    this.waits.clear();
  }

  /**
   * Resolves true after `ms`, false as soon as deliveries are cancelled. Kept in a map rather than
   * as listeners on an `AbortSignal`: hundreds of deliveries wait at once in a busy run, and a
   * signal warns of a leak past ten listeners.
   */
  private wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        resolve(true);
      }, ms);
      this.waits.set(timer, resolve);
    });
  }

  private filterMatches(jql: string, change: SandboxChange): boolean {
    try {
      const ctx: JqlContext = { state: this.state, currentUserId: change.actor.accountId, now: change.at };
      return matches(parseJql(jql).where, change.issue, ctx);
    } catch {
      return false;
    }
  }

  private payload(change: SandboxChange, event: string, webhook: WebhookRegistration): Record<string, unknown> {
    const ctx: RenderContext = { base: this.baseUrl(), api: 2, state: this.state };
    const common = { timestamp: change.at, webhookEvent: event };
    const matched = { matchedWebhookIds: [webhook.id] };
    switch (change.kind) {
      case 'issue_created':
        return {
          ...common,
          issue_event_type_name: 'issue_created',
          user: userJson(change.actor, ctx),
          issue: webhookIssueJson(change.issue, ctx),
          ...matched,
        };
      case 'issue_updated':
        return {
          ...common,
          issue_event_type_name: change.eventTypeName,
          user: userJson(change.actor, ctx),
          issue: webhookIssueJson(change.issue, ctx),
          ...(change.changelog ? { changelog: change.changelog } : {}),
          ...(change.comment ? { comment: commentJson(change.comment, change.issue, ctx) } : {}),
          ...matched,
        };
      case 'issue_deleted':
        return { ...common, user: userJson(change.actor, ctx), issue: webhookIssueJson(change.issue, ctx), ...matched };
      case 'comment_created':
      case 'comment_updated':
      case 'comment_deleted':
        return {
          ...common,
          comment: commentJson(change.comment, change.issue, ctx),
          issue: webhookIssueSummaryJson(change.issue, ctx),
          ...matched,
        };
      case 'issue_property_set':
      case 'issue_property_deleted':
        return {
          ...common,
          user: userJson(change.actor, ctx),
          property: change.kind === 'issue_property_set' ? change.property : { key: change.property.key },
          issue: webhookIssueSummaryJson(change.issue, ctx),
          ...matched,
        };
    }
  }

  private async deliver(record: DeliveryRecord, secret: string | null): Promise<void> {
    const cancels = this.cancels;
    const bytes = Buffer.from(record.body, 'utf8');
    const headers: Record<string, string> = {
      ...(bytes.length > 0 ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      'user-agent': 'Atlassian Webhook HTTP Client',
      'x-atlassian-webhook-identifier': record.identifier,
      'x-atlassian-webhook-flow': 'Primary',
    };
    if (secret !== null) headers['x-hub-signature'] = `sha256=${createHmac('sha256', secret).update(bytes).digest('hex')}`;

    if (this.options.jitterMs > 0 && !(await this.wait(Math.random() * this.options.jitterMs))) {
      record.outcome = 'cancelled';
      return;
    }
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      if (this.cancels !== cancels) {
        record.outcome = 'cancelled';
        return;
      }
      record.attempts = attempt;
      const attemptHeaders = attempt > 1 ? { ...headers, 'x-atlassian-webhook-retry': String(attempt - 1) } : headers;
      const status = await this.post(record.url, attemptHeaders, bytes);
      if (this.cancels !== cancels) {
        record.outcome = 'cancelled';
        return;
      }
      record.results.push(status);
      if (typeof status === 'number' && status >= 200 && status < 300) {
        record.outcome = 'delivered';
        return;
      }
      const retry = typeof status === 'string' || RETRY_STATUSES.has(status) || status >= 500;
      if (!retry) break;
      if (attempt < this.options.maxAttempts && !(await this.wait(this.options.retryDelayMs * attempt))) {
        record.outcome = 'cancelled';
        return;
      }
    }
    record.outcome = 'failed';
  }

  /**
   * One POST over a kept-alive connection: the status, or the error code when the connection
   * failed or timed out (`ETIMEDOUT` after `timeoutMs`). Not `fetch`: the bench's end-to-end run
   * sends about four deliveries per change (Pool Guard's own writes come back as events, as in
   * Jira), and with `fetch` the process that runs the sandbox beside Pool Guard on the same two
   * cores used 70.6-74.1 % of a core at 200 changes/s; with this, 55.1-59.5 %.
   */
  private post(url: string, headers: Record<string, string>, bytes: Buffer): Promise<number | string> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve('ERR_INVALID_URL');
        return;
      }
      const https = target.protocol === 'https:';
      const req = (https ? httpsRequest : httpRequest)(target, {
        method: 'POST',
        agent: https ? this.agents.https : this.agents.http,
        headers: { ...headers, 'content-length': String(bytes.length) },
      });
      let settled = false;
      const settle = (result: number | string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('webhook delivery timed out'), { code: 'ETIMEDOUT' })), this.options.timeoutMs);
      this.inflight.add(req);
      let answered = false;
      req.on('response', (res) => {
        answered = true;
        res.on('error', () => undefined);
        // After the whole answer, or cut off before its end (a reset, the timeout, a cancel).
        res.on('close', () => settle(res.complete ? (res.statusCode ?? 0) : 'ECONNRESET'));
        res.resume();
      });
      req.on('error', (err) => settle(errorCode(err)));
      req.on('close', () => {
        this.inflight.delete(req);
        // Destroyed without an error (a cancel) or closed before any answer; once answered, the
        // answer's own events settle it.
        if (!answered) settle('ECONNRESET');
      });
      req.end(bytes);
    });
  }
}

const EVENT_NAMES: Record<SandboxChange['kind'], string> = {
  issue_created: 'jira:issue_created',
  issue_updated: 'jira:issue_updated',
  issue_deleted: 'jira:issue_deleted',
  comment_created: 'comment_created',
  comment_updated: 'comment_updated',
  comment_deleted: 'comment_deleted',
  issue_property_set: 'issue_property_set',
  issue_property_deleted: 'issue_property_deleted',
};

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return err instanceof Error ? err.name : 'error';
}
