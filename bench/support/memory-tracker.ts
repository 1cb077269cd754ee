/**
 * A tracker that lives in memory, behind the real tracker seam (`TrackerPlugin`), for the ledger
 * figures: they measure Pool Guard's own work (Redis, admission, queues), not a tracker's HTTP.
 * Tickets are made up from their id, `<scope>~<quarter>~<n>`; each read returns a newer version
 * with another size, so every event is a real change.
 */
import type { Ticket } from '@pool-guard/shared/domain';
import type { TrackerClient, TrackerPlugin } from '@pool-guard/shared/tracker';

export const MEMORY_BOT = 'bench-memory-bot';

export function memoryTicketId(scope: string, quarter: string, n: number): string {
  return `${scope}~${quarter}~${n}`;
}

function dueDateIn(quarter: string): string {
  const [year, q] = quarter.split('-Q');
  return `${year}-${String((Number(q) - 1) * 3 + 2).padStart(2, '0')}-15`;
}

/** Version `version` of ticket `id`: 1–5 days, changing with each version. */
export function memoryTicket(id: string, version: number): Ticket {
  const [scope = 'X', quarter = '2026-Q4', n = '0'] = id.split('~');
  const days = 1 + ((Number(n) + version) % 5);
  return {
    key: id,
    id,
    scope,
    title: `Request ${n} of ${scope}`,
    labels: ['custom-request'],
    issueType: 'Story',
    linkedToCustomerRequest: false,
    estimate: { seconds: days * 8 * 3600, points: null },
    dueDate: dueDateIn(quarter),
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: new Date(Date.UTC(2026, 0, 1) + version * 1000).toISOString(),
    rank: `0|${String(n).padStart(6, '0')}:`,
    progress: 'not-started',
  };
}

function memoryClient(): TrackerClient {
  const versions = new Map<string, number>();
  return {
    async whoAmI() {
      return { accountId: MEMORY_BOT, displayName: 'Pool Guard' };
    },
    async fetchTicket(id) {
      const version = (versions.get(id) ?? 0) + 1;
      versions.set(id, version);
      return memoryTicket(id, version);
    },
    async writeBack(cmd) {
      const calls = (cmd.comment ? 1 : 0) + (cmd.labels ? 1 : 0) + (cmd.badge !== undefined ? 1 : 0);
      return { commentId: cmd.comment?.commentId ?? `comment-${cmd.ticketId}`, calls };
    },
    async listTickets() {
      return { tickets: [], nextCursor: null };
    },
  };
}

export const memoryTrackerPlugin: TrackerPlugin = {
  id: 'jira',
  verify: () => ({ ok: false, reason: 'the memory tracker takes no webhooks' }),
  parseWebhook: () => ({ ok: false, reason: 'the memory tracker takes no webhooks' }),
  connect: () => memoryClient(),
};
