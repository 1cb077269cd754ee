/**
 * What every pool and ticket should show, computed straight from the sandbox Jira's tickets with
 * the pure domain: the reference that fault, soak and cluster tests compare Pool Guard against.
 */
import type { JiraSandbox, SandboxIssueView } from '@pool-guard/plugin-jira/sandbox';
import {
  admitRequests,
  labelForState,
  poolIdOf,
  toPoolRequest,
  type PoolRequest,
  type PoolRules,
  type Ticket,
} from '@pool-guard/shared/domain';

export const DEFAULT_RULES: PoolRules = {
  labels: ['custom-request'],
  issueTypes: [],
  includeLinkedCustomerRequests: false,
  hoursPerDay: 8,
  daysPerPoint: 1,
  daysPerPointByScope: {},
  fiscalYearStartMonth: 1,
};

function jiraToIso(value: string): string {
  return new Date(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')).toISOString();
}

export function sandboxTicket(issue: SandboxIssueView): Ticket {
  return {
    key: issue.key,
    id: issue.id,
    scope: issue.project,
    title: issue.summary,
    labels: issue.labels,
    issueType: issue.issueType,
    linkedToCustomerRequest: false,
    estimate: { seconds: issue.originalEstimateSeconds, points: issue.storyPoints },
    dueDate: issue.dueDate,
    createdAt: jiraToIso(issue.created),
    updatedAt: jiraToIso(issue.updated),
    rank: issue.rank,
    progress: issue.statusCategory === 'indeterminate' ? 'in-progress' : issue.statusCategory === 'done' ? 'done' : 'not-started',
  };
}

export interface ExpectedTicket {
  key: string;
  label: string;
  badge: { quarter: string; scope: string; state: string; usedDays: number; limitDays: number | null; days: number | null; rank: number };
}

export interface GroundTruth {
  /** Pool id -> used days. */
  usedDays: Map<string, number>;
  tickets: Map<string, ExpectedTicket>;
}

export function groundTruth(sandbox: JiraSandbox, limits: ReadonlyMap<string, number>, rules: PoolRules = DEFAULT_RULES, warnAtPercent = 80): GroundTruth {
  const pools = new Map<string, PoolRequest[]>();
  for (const issue of sandbox.issues()) {
    const request = toPoolRequest(sandboxTicket(issue), rules);
    if (!request) continue;
    const id = poolIdOf(request);
    pools.set(id, [...(pools.get(id) ?? []), request]);
  }
  const usedDays = new Map<string, number>();
  const tickets = new Map<string, ExpectedTicket>();
  for (const [poolId, requests] of pools) {
    const outcome = admitRequests({ limitDays: limits.get(poolId) ?? null, warnAtPercent }, requests);
    usedDays.set(poolId, outcome.usedDays);
    for (const entry of outcome.entries) {
      const req = requests.find((r) => r.key === entry.key)!;
      tickets.set(entry.key, {
        key: entry.key,
        label: labelForState(entry.state),
        badge: { quarter: req.quarter, scope: req.scope, state: entry.state, usedDays: outcome.usedDays, limitDays: outcome.limitDays, days: entry.days, rank: entry.rank },
      });
    }
  }
  return { usedDays, tickets };
}

/** Every difference between what the sandbox tickets show and the ground truth, as readable lines. */
export function differences(sandbox: JiraSandbox, truth: GroundTruth, botAccountId: string): string[] {
  const out: string[] = [];
  for (const issue of sandbox.issues()) {
    const expected = truth.tickets.get(issue.key);
    const poolLabels = issue.labels.filter((l) => l.startsWith('pool-'));
    const comments = issue.comments.filter((c) => c.authorId === botAccountId);
    const badge = issue.properties['pool-guard'];
    if (expected) {
      if (poolLabels.length !== 1 || poolLabels[0] !== expected.label) out.push(`${issue.key}: labels ${JSON.stringify(poolLabels)}, expected ${expected.label}`);
      if (JSON.stringify(badge) !== JSON.stringify(expected.badge)) out.push(`${issue.key}: badge ${JSON.stringify(badge)}, expected ${JSON.stringify(expected.badge)}`);
      if (comments.length !== 1) out.push(`${issue.key}: ${comments.length} Pool Guard comments, expected 1`);
    } else {
      if (poolLabels.length > 0) out.push(`${issue.key}: not a custom request but has ${JSON.stringify(poolLabels)}`);
      if (badge !== undefined) out.push(`${issue.key}: not a custom request but has a badge`);
      if (comments.length > 1) out.push(`${issue.key}: ${comments.length} Pool Guard comments`);
    }
  }
  return out;
}
