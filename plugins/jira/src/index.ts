/**
 * Pool Guard's Jira Cloud plugin: verifies and parses Jira admin webhooks, reads issues as domain
 * Tickets, and writes back Pool Guard's comment, the pool label and the `pool-guard` issue property.
 *
 *   import { jiraPlugin } from '@pool-guard/plugin-jira';
 *   const client = jiraPlugin.connect(tenant, { logger });
 */
import type { TenantConfig } from '@pool-guard/shared/config';
import type { TrackerClient, TrackerClientOptions, TrackerPlugin } from '@pool-guard/shared/tracker';
import { connectJira, type JiraClientOptions } from './jira-client.js';
import { parseWebhook } from './parse-webhook.js';
import { verifySignature } from './verify-signature.js';

export { verifySignature, SIGNATURE_HEADER } from './verify-signature.js';
export { parseWebhook, DELIVERY_ID_HEADER } from './parse-webhook.js';
export { fetchTicket, issueToTicket, progressOf, ticketFields } from './fetch-ticket.js';
export { fieldIdResolver, pickFieldIds, type FieldIds } from './field-ids.js';
export { buildJql, listTickets, marksOf } from './list-tickets.js';
export { mapHttpError, mapNetworkError, retryAfterMs, DEFAULT_RETRY_AFTER_MS, JiraHttpError } from './map-error.js';
export { renderCommentAdf, firstBlockText, type AdfDoc } from './render-comment.js';
export { writeBack, badgeJson, BADGE_PROPERTY_KEY } from './write-back.js';
export { createJiraHttp, DEFAULT_REQUEST_TIMEOUT_MS, type JiraHttp } from './jira-http.js';
export { parseJiraDate, formatJqlDate } from './jira-date.js';
export { connectJira, type JiraClientOptions } from './jira-client.js';

export interface JiraPluginOptions {
  /** Per-request timeout against Jira (default 10 s). */
  requestTimeoutMs?: number;
}

export function createJiraPlugin(pluginOptions: JiraPluginOptions = {}): TrackerPlugin {
  return {
    id: 'jira',
    verify: verifySignature,
    parseWebhook,
    connect(tenant: TenantConfig, options: TrackerClientOptions): TrackerClient {
      if (tenant.tracker !== 'jira') {
        throw new Error(`the Jira plugin cannot connect tenant "${tenant.id}": its tracker is "${tenant.tracker}"`);
      }
      const clientOptions: JiraClientOptions = { ...options };
      if (pluginOptions.requestTimeoutMs !== undefined) clientOptions.requestTimeoutMs = pluginOptions.requestTimeoutMs;
      return connectJira(tenant, clientOptions);
    },
  };
}

/** The Jira plugin with default options. */
export const jiraPlugin: TrackerPlugin = createJiraPlugin();
