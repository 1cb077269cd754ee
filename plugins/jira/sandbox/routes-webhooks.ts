/**
 * Admin webhooks through `/rest/webhooks/1.0/webhook` (not part of the platform v3 spec). The secret
 * is write-once: responses only say `isSigned`.
 */
import { errorBody, SandboxError, badRequest } from './jira-format.js';
import { bodyObject, type RouteContext, type SandboxRoute } from './route-table.js';
import type { WebhookRegistration } from './webhook-delivery.js';

export function webhookJson(webhook: WebhookRegistration, base: string, ctx: RouteContext): Record<string, unknown> {
  const by = ctx.state.userOrUnknown(webhook.lastUpdatedBy);
  return {
    name: webhook.name,
    url: webhook.url,
    excludeBody: webhook.excludeBody,
    filters: { 'issue-related-events-section': webhook.jqlFilter ?? '' },
    events: webhook.events,
    enabled: webhook.enabled,
    self: `${base}/rest/webhooks/1.0/webhook/${webhook.id}`,
    lastUpdatedUser: by.accountId,
    lastUpdatedDisplayName: by.displayName,
    lastUpdated: webhook.lastUpdated,
    isSigned: webhook.secret !== null,
  };
}

function requireAdmin(ctx: RouteContext): void {
  if (!ctx.actor.admin) {
    throw new SandboxError(403, errorBody(['You do not have the permission to manage webhooks (Administer Jira is required).']));
  }
}

function webhookOr404(ctx: RouteContext): WebhookRegistration {
  const webhook = ctx.webhooks.get(Number(ctx.param('id')));
  if (!webhook) throw new SandboxError(404, errorBody(['Webhook not found.']));
  return webhook;
}

export const WEBHOOK_ROUTES: SandboxRoute[] = [
  {
    method: 'GET',
    path: '/rest/webhooks/1.0/webhook',
    api: 'webhooks',
    handle: (ctx) => {
      requireAdmin(ctx);
      ctx.res.json(ctx.webhooks.list().map((w) => webhookJson(w, ctx.render.base, ctx)));
    },
  },
  {
    method: 'POST',
    path: '/rest/webhooks/1.0/webhook',
    api: 'webhooks',
    handle: (ctx) => {
      requireAdmin(ctx);
      const body = bodyObject(ctx.req.body);
      const url = typeof body.url === 'string' ? body.url : '';
      if (!/^https?:\/\/\S+$/.test(url)) throw badRequest([], { url: 'The URL must be a valid http(s) URL.' });
      const events = body.events;
      if (!Array.isArray(events) || events.length === 0 || events.some((e) => typeof e !== 'string')) {
        throw badRequest([], { events: 'At least one event must be selected.' });
      }
      const filters = (body.filters ?? {}) as Record<string, unknown>;
      const jql = filters['issue-related-events-section'];
      const webhook = ctx.webhooks.register(
        {
          url,
          events: events as string[],
          name: typeof body.name === 'string' ? body.name : 'Webhook',
          secret: typeof body.secret === 'string' ? body.secret : null,
          jqlFilter: typeof jql === 'string' ? jql : null,
          excludeBody: body.excludeBody === true,
        },
        ctx.actor.accountId,
      );
      ctx.res.status(201).json(webhookJson(webhook, ctx.render.base, ctx));
    },
  },
  {
    method: 'GET',
    path: '/rest/webhooks/1.0/webhook/{id}',
    api: 'webhooks',
    handle: (ctx) => {
      requireAdmin(ctx);
      ctx.res.json(webhookJson(webhookOr404(ctx), ctx.render.base, ctx));
    },
  },
  {
    method: 'DELETE',
    path: '/rest/webhooks/1.0/webhook/{id}',
    api: 'webhooks',
    handle: (ctx) => {
      requireAdmin(ctx);
      ctx.webhooks.unregister(webhookOr404(ctx).id);
      ctx.res.status(204).end();
    },
  },
];
