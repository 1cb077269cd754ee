/**
 * A connected Linear tenant: the GraphQL client (the Linear SDK's), its rate budget and the label
 * cache behind the tracker seam. Loaded by the plugin on a tenant's first call (see index.ts).
 */
import type { LinearTenantConfig } from '@pool-guard/shared/config';
import type { TrackerClient, TrackerClientOptions } from '@pool-guard/shared/tracker';
import { fetchTicket } from './fetch-ticket.js';
import type { LinearPluginOptions } from './index.js';
import { createLinearGql, createSdkClient, DEFAULT_REQUEST_TIMEOUT_MS } from './linear-client.js';
import { listTickets } from './list-tickets.js';
import { DEFAULT_BADGE_URL_BASE, PoolLabelCache, writeBack } from './write-back.js';

/** A connected Linear tenant, at once. */
export function connectLinearNow(tenant: LinearTenantConfig, options: TrackerClientOptions & LinearPluginOptions): TrackerClient {
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
