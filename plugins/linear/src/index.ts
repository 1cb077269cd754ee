/**
 * Pool Guard's Linear plugin: verifies and parses Linear webhooks, reads issues as domain Tickets,
 * and writes back the pool label, Pool Guard's comment and its badge (an attachment).
 *
 *   import { linearPlugin } from '@pool-guard/plugin-linear';
 *   const client = linearPlugin.connect(tenant, { logger });
 *
 * The Linear SDK (some 20 MB of a process's memory once imported) is loaded on a tenant's first
 * call to Linear, not when the plugin is imported: a process that never talks to Linear (a
 * Jira-only deployment, a receiver) does not carry it. Only webhook verification (the SDK's small
 * `webhooks` entry) is loaded with the plugin.
 */
import type { LinearTenantConfig, TenantConfig } from '@pool-guard/shared/config';
import type { TrackerClient, TrackerClientOptions, TrackerPlugin } from '@pool-guard/shared/tracker';
import { parseWebhook } from './parse-webhook.js';
import { verifySignature } from './verify-signature.js';

export { verifySignature, MAX_TIMESTAMP_SKEW_MS } from './verify-signature.js';
export { parseWebhook } from './parse-webhook.js';
export { isPoolGuardComment, renderCommentMarkdown } from './render-comment.js';
export { DEFAULT_BADGE_URL_BASE } from './badge-url.js';

export interface LinearPluginOptions {
  /** Prefix of badge attachment URLs (default https://pool-guard.invalid/linear); e.g. your admin UI. */
  badgeUrlBase?: string;
  /** Per-request timeout against Linear (default 30 s). */
  requestTimeoutMs?: number;
}

/**
 * A connected Linear tenant. The client behind it (and the Linear SDK) is made on the first call;
 * a failed load is tried again on the next call.
 */
export function connectLinear(tenant: LinearTenantConfig, options: TrackerClientOptions & LinearPluginOptions): TrackerClient {
  let connected: Promise<TrackerClient> | null = null;
  const client = (): Promise<TrackerClient> =>
    (connected ??= import('./connect-linear.js').then(
      (m) => m.connectLinearNow(tenant, options),
      (err: unknown) => {
        connected = null;
        throw err;
      },
    ));
  return {
    whoAmI: async () => (await client()).whoAmI(),
    fetchTicket: async (keyOrId) => (await client()).fetchTicket(keyOrId),
    writeBack: async (cmd) => (await client()).writeBack(cmd),
    listTickets: async (query) => (await client()).listTickets(query),
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
