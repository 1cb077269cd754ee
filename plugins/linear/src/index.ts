/**
 * Pool Guard's Linear plugin: verifies and parses Linear webhooks, reads issues as domain Tickets,
 * and writes back the pool label, Pool Guard's comment and its badge (an attachment).
 *
 *   import { linearPlugin } from '@pool-guard/plugin-linear';
 *   const client = linearPlugin.connect(tenant, { logger });
 */
import type { LinearTenantConfig, TenantConfig } from '@pool-guard/shared/config';
import type { TrackerClient, TrackerClientOptions, TrackerPlugin } from '@pool-guard/shared/tracker';
import { fetchTicket } from './fetch-ticket.js';
import { createLinearGql, createSdkClient, DEFAULT_REQUEST_TIMEOUT_MS } from './linear-client.js';
import { listTickets } from './list-tickets.js';
import { parseWebhook } from './parse-webhook.js';
import { verifySignature } from './verify-signature.js';
import { DEFAULT_BADGE_URL_BASE, PoolLabelCache, writeBack } from './write-back.js';

export { verifySignature, MAX_TIMESTAMP_SKEW_MS } from './verify-signature.js';
export { parseWebhook } from './parse-webhook.js';
export { fetchTicket, progressOf, toTicket } from './fetch-ticket.js';
export { issueFilterOf, listTickets } from './list-tickets.js';
export { mapLinearError, retryAfterMsOf } from './map-error.js';
export { isPoolGuardComment, renderCommentMarkdown } from './render-comment.js';
export { badgeMetadata, badgeUrlOf, DEFAULT_BADGE_URL_BASE, POOL_LABEL_COLORS, PoolLabelCache, writeBack } from './write-back.js';
export { createLinearGql, createSdkClient, type LinearGql } from './linear-client.js';

export interface LinearPluginOptions {
  /** Prefix of badge attachment URLs (default https://pool-guard.invalid/linear); e.g. your admin UI. */
  badgeUrlBase?: string;
  /** Per-request timeout against Linear (default 30 s). */
  requestTimeoutMs?: number;
}

/** A connected Linear tenant. */
export function connectLinear(tenant: LinearTenantConfig, options: TrackerClientOptions & LinearPluginOptions): TrackerClient {
  const sdk = createSdkClient(tenant);
  const gql = createLinearGql(sdk, { timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS });
  const labels = new PoolLabelCache();
  const withNeeds = tenant.includeLinkedCustomerRequests;
  const badgeUrlBase = options.badgeUrlBase ?? DEFAULT_BADGE_URL_BASE;
  let me: Promise<{ accountId: string; displayName: string }> | null = null;
  return {
    whoAmI() {
      me ??= gql
        .request<{ viewer: { id: string; name: string; displayName: string } }>('query PoolGuardWhoAmI { viewer { id name displayName } }')
        .then(({ viewer }) => ({ accountId: viewer.id, displayName: viewer.name || viewer.displayName }))
        .catch((err: unknown) => {
          me = null; // do not cache a failure
          throw err;
        });
      return me;
    },
    fetchTicket: (keyOrId) => fetchTicket(gql, keyOrId, { withNeeds }),
    writeBack: (cmd) => writeBack({ gql, labels, badgeUrlBase, logger: options.logger }, cmd),
    listTickets: (query) => listTickets(gql, query, { withNeeds, badgeUrlBase }),
  };
}

export function createLinearPlugin(pluginOptions: LinearPluginOptions = {}): TrackerPlugin {
  return {
    id: 'linear',
    verify: verifySignature,
    parseWebhook,
    connect(tenant: TenantConfig, options: TrackerClientOptions): TrackerClient {
      if (tenant.tracker !== 'linear') {
        throw new Error(`the Linear plugin cannot connect tenant "${tenant.id}": its tracker is "${tenant.tracker}"`);
      }
      return connectLinear(tenant, { ...pluginOptions, ...options });
    },
  };
}

/** The Linear plugin with default options. */
export const linearPlugin: TrackerPlugin = createLinearPlugin();
