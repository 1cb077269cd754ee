/** One Jira tenant's live connection: whoAmI, fetchTicket, writeBack and listTickets over jira-http. */
import type { JiraTenantConfig } from '@pool-guard/shared/config';
import type { TrackerClient, TrackerClientOptions } from '@pool-guard/shared/tracker';
import { fieldIdResolver } from './field-ids.js';
import { fetchTicket } from './fetch-ticket.js';
import { createJiraHttp, DEFAULT_REQUEST_TIMEOUT_MS } from './jira-http.js';
import { listTickets } from './list-tickets.js';
import { writeBack } from './write-back.js';

export interface JiraClientOptions extends TrackerClientOptions {
  /** Per-request timeout (default 10 s). */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

interface Myself {
  accountId: string;
  displayName: string;
  timeZone: string | null;
}

export function connectJira(tenant: JiraTenantConfig, options: JiraClientOptions): TrackerClient {
  const http = createJiraHttp({
    baseUrl: tenant.baseUrl,
    email: tenant.email,
    apiToken: tenant.apiToken,
    timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    logger: options.logger,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const fieldIds = fieldIdResolver(http, { rankField: tenant.rankField, storyPointsField: tenant.storyPointsField });

  let me: Promise<Myself> | null = null;
  const myself = (): Promise<Myself> => {
    me ??= http
      .request<{ accountId?: unknown; displayName?: unknown; timeZone?: unknown }>('GET', '/rest/api/3/myself')
      .then(({ body }) => {
        if (typeof body.accountId !== 'string' || body.accountId === '') throw new Error('Jira /myself returned no accountId');
        return {
          accountId: body.accountId,
          displayName: typeof body.displayName === 'string' ? body.displayName : body.accountId,
          timeZone: typeof body.timeZone === 'string' ? body.timeZone : null,
        };
      })
      .catch((err: unknown) => {
        me = null; // a failure is not cached
        throw err;
      });
    return me;
  };

  return {
    async whoAmI() {
      const { accountId, displayName } = await myself();
      return { accountId, displayName };
    },
    async fetchTicket(keyOrId) {
      return fetchTicket(http, await fieldIds(), keyOrId);
    },
    writeBack(cmd) {
      return writeBack({ http, whoAmI: myself }, cmd);
    },
    async listTickets(query) {
      const needsMe = query.updatedSince !== null || query.withMarks === true;
      const [ids, me] = await Promise.all([fieldIds(), needsMe ? myself() : Promise.resolve(null)]);
      return listTickets(http, ids, query, me?.timeZone ?? null, me?.accountId ?? null);
    },
  };
}
