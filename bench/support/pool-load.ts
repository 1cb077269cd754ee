/**
 * Tickets spread over pools in the sandbox Jira, and the bookkeeping that tells when a change made
 * "in Jira" shows on its ticket: exactly one pool label, Pool Guard's comment naming the new size,
 * and the badge carrying it.
 */
import { formatDays } from '@pool-guard/shared/domain';
import type { LedgerStore } from '@pool-guard/shared/store';
import type { JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import { JIRA_TENANT } from './services.js';

export const QUARTERS = ['2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4'] as const;

/** Jira project keys `<prefix>A`, `<prefix>B`, … */
export function projectsFor(prefix: string, count: number): { key: string; name: string }[] {
  return Array.from({ length: count }, (_, i) => ({ key: `${prefix}${String.fromCharCode(65 + (i % 26))}${i >= 26 ? String.fromCharCode(65 + Math.floor(i / 26)) : ''}`, name: `Bench ${prefix} ${i + 1}` }));
}

function dueDateIn(quarter: string): string {
  const [year, q] = quarter.split('-Q');
  const month = (Number(q) - 1) * 3 + 2;
  return `${year}-${String(month).padStart(2, '0')}-15`;
}

export interface BenchTicket {
  key: string;
  id: string;
  pool: string;
  days: number;
}

/** Sets every pool's limit (before its tickets exist, so no recompute is needed for the settings). */
export async function setPools(store: LedgerStore, scopes: readonly string[], quarters: readonly string[], limitDays: number): Promise<string[]> {
  const pools: string[] = [];
  for (const scope of scopes) {
    for (const quarter of quarters) {
      const poolId = `${scope}/${quarter}`;
      await store.setPoolSettings(JIRA_TENANT, poolId, { limitDays, warnAtPercent: 80 });
      pools.push(poolId);
    }
  }
  return pools;
}

/** `perPool` custom requests in each pool, sized 1–5 days, created by the sales rep (webhooks fire). */
export function createTickets(sandbox: JiraSandbox, pools: readonly string[], perPool: number): BenchTicket[] {
  const tickets: BenchTicket[] = [];
  for (let i = 0; i < perPool; i++) {
    for (const pool of pools) {
      const [scope, quarter] = pool.split('/') as [string, string];
      const days = 1 + ((tickets.length * 7) % 5);
      const issue = sandbox.createIssue({
        project: scope,
        summary: `Bench request ${tickets.length + 1}`,
        labels: ['custom-request'],
        originalEstimate: `${days}d`,
        dueDate: dueDateIn(quarter),
      });
      tickets.push({ key: issue.key, id: issue.id, pool, days });
    }
  }
  return tickets;
}

/** The next size of a ticket: always different from the current one. */
export function nextDays(days: number): number {
  return (days % 5) + 1;
}

/** Does the ticket show Pool Guard's view for a request of `days`? */
export function showsSize(sandbox: JiraSandbox, ref: string, days: number): boolean {
  const issue = sandbox.issue(ref);
  if (!issue) return false;
  if (issue.labels.filter((l) => l.startsWith('pool-')).length !== 1) return false;
  const badge = issue.properties['pool-guard'] as { days?: unknown } | undefined;
  if (!badge || badge.days !== days) return false;
  const bot = sandbox.users.bot.accountId;
  const line = `This request: ${formatDays(days)},`;
  return issue.comments.some((c) => c.authorId === bot && c.text.includes(line));
}

/** Every ticket shows its current size: the initial write-backs are done. */
export function allShown(sandbox: JiraSandbox, tickets: readonly BenchTicket[]): boolean {
  return tickets.every((t) => showsSize(sandbox, t.id, t.days));
}

/**
 * Latency from a change (its webhook is sent at once: the sandbox has no delivery jitter here) to
 * the moment the ticket shows it. A change overtaken by a later change of the same ticket before it
 * showed counts until the later one shows (the final state is what must land).
 */
export class LandingClock {
  readonly latencies: number[] = [];
  private readonly pending = new Map<string, { sentAt: number; days: number }[]>();

  constructor(private readonly sandbox: JiraSandbox) {}

  expect(ticket: BenchTicket, days: number, sentAt: number): void {
    const list = this.pending.get(ticket.id) ?? [];
    list.push({ sentAt, days });
    this.pending.set(ticket.id, list);
  }

  get outstanding(): number {
    let n = 0;
    for (const l of this.pending.values()) n += l.length;
    return n;
  }

  /** To be called after each write of Pool Guard to a ticket. */
  observe(ref: string, at: number): void {
    const list = this.pending.get(ref);
    if (!list || list.length === 0) return;
    const issue = this.sandbox.issue(ref);
    const badge = issue?.properties['pool-guard'] as { days?: unknown } | undefined;
    if (!badge) return;
    for (let j = list.length - 1; j >= 0; j--) {
      if (list[j]!.days === badge.days && showsSize(this.sandbox, ref, list[j]!.days)) {
        for (const e of list.splice(0, j + 1)) this.latencies.push(at - e.sentAt);
        return;
      }
    }
  }
}
