/**
 * The sandbox's in-memory Linear workspace: plain records keyed by id, and the seed every sandbox
 * starts from (and `reset()` returns to). Records hold Linear's own field names so the GraphQL layer
 * can serve them with little mapping.
 */
import { randomUUID } from 'node:crypto';

export type WorkflowStateType = 'triage' | 'backlog' | 'unstarted' | 'started' | 'completed' | 'canceled';

export interface OrganizationRecord {
  __typename: 'Organization';
  id: string;
  name: string;
  urlKey: string;
  createdAt: string;
  updatedAt: string;
}

export interface UserRecord {
  __typename: 'User';
  id: string;
  name: string;
  displayName: string;
  email: string;
  /** Personal API key (sent raw in `Authorization`). */
  apiKey: string;
  admin: boolean;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface TeamRecord {
  __typename: 'Team';
  id: string;
  key: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  /** Last issue number handed out in this team. */
  issueCount: number;
}

export interface WorkflowStateRecord {
  __typename: 'WorkflowState';
  id: string;
  teamId: string;
  name: string;
  type: WorkflowStateType;
  color: string;
  position: number;
  createdAt: string;
  updatedAt: string;
}

export interface IssueLabelRecord {
  __typename: 'IssueLabel';
  id: string;
  name: string;
  color: string;
  description: string | null;
  /** Null for a workspace label (usable in every team). */
  teamId: string | null;
  creatorId: string | null;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
}

export interface IssueRecord {
  __typename: 'Issue';
  id: string;
  teamId: string;
  number: number;
  previousIdentifiers: string[];
  title: string;
  description: string | null;
  priority: number;
  estimate: number | null;
  dueDate: string | null;
  sortOrder: number;
  stateId: string;
  labelIds: string[];
  creatorId: string | null;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
  trashed: boolean | null;
}

export interface CommentRecord {
  __typename: 'Comment';
  id: string;
  issueId: string;
  userId: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  editedAt: string | null;
  archivedAt: string | null;
}

export interface AttachmentRecord {
  __typename: 'Attachment';
  id: string;
  issueId: string;
  url: string;
  title: string;
  subtitle: string | null;
  iconUrl: string | null;
  metadata: Record<string, unknown>;
  groupBySource: boolean;
  creatorId: string | null;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
}

/** A customer request linked to an issue (Linear `CustomerNeed`). */
export interface CustomerNeedRecord {
  __typename: 'CustomerNeed';
  id: string;
  issueId: string;
  body: string | null;
  priority: number;
  creatorId: string | null;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
}

/** Fixed ids and keys of the seeded workspace, for tests and demos. */
export const SANDBOX_SEED = {
  organizationId: '5b7c3a10-0000-4000-8000-000000000001',
  organizationUrlKey: 'pool-guard-sandbox',
  botUserId: '5b7c3a10-0000-4000-8000-0000000000b0',
  botApiKey: 'lin_api_sandbox_bot',
  salesUserId: '5b7c3a10-0000-4000-8000-0000000000a1',
  salesApiKey: 'lin_api_sandbox_sales',
  teams: {
    ENG: '5b7c3a10-0000-4000-8000-00000000e000',
    OPS: '5b7c3a10-0000-4000-8000-00000000f000',
  },
  labels: {
    'custom-request': '5b7c3a10-0000-4000-8000-0000000c0001',
    bug: '5b7c3a10-0000-4000-8000-0000000c0002',
    feature: '5b7c3a10-0000-4000-8000-0000000c0003',
  },
} as const;

const STATE_SEED: ReadonlyArray<{ name: string; type: WorkflowStateType; color: string }> = [
  { name: 'Triage', type: 'triage', color: '#fc7840' },
  { name: 'Backlog', type: 'backlog', color: '#bec2c8' },
  { name: 'Todo', type: 'unstarted', color: '#e2e2e2' },
  { name: 'In Progress', type: 'started', color: '#f2c94c' },
  { name: 'Done', type: 'completed', color: '#5e6ad2' },
  { name: 'Canceled', type: 'canceled', color: '#95a2b3' },
];

export class SandboxStore {
  organization!: OrganizationRecord;
  users = new Map<string, UserRecord>();
  teams = new Map<string, TeamRecord>();
  states = new Map<string, WorkflowStateRecord>();
  labels = new Map<string, IssueLabelRecord>();
  issues = new Map<string, IssueRecord>();
  comments = new Map<string, CommentRecord>();
  attachments = new Map<string, AttachmentRecord>();
  needs = new Map<string, CustomerNeedRecord>();
  /** Linear's monotonically increasing sync id, returned by every mutation payload. */
  lastSyncId = 1000;

  constructor(private readonly now: () => number) {
    this.seed();
  }

  seed(): void {
    for (const map of [this.users, this.teams, this.states, this.labels, this.issues, this.comments, this.attachments, this.needs]) {
      map.clear();
    }
    const at = new Date(Date.UTC(2026, 0, 5, 9, 0, 0)).toISOString();
    this.organization = {
      __typename: 'Organization',
      id: SANDBOX_SEED.organizationId,
      name: 'Pool Guard Sandbox',
      urlKey: SANDBOX_SEED.organizationUrlKey,
      createdAt: at,
      updatedAt: at,
    };
    const user = (id: string, name: string, displayName: string, email: string, apiKey: string, admin: boolean): void => {
      this.users.set(id, { __typename: 'User', id, name, displayName, email, apiKey, admin, active: true, createdAt: at, updatedAt: at });
    };
    user(SANDBOX_SEED.botUserId, 'Pool Guard', 'pool-guard', 'pool-guard@sandbox.invalid', SANDBOX_SEED.botApiKey, false);
    user(SANDBOX_SEED.salesUserId, 'Sam Seller', 'sam', 'sam.seller@sandbox.invalid', SANDBOX_SEED.salesApiKey, true);

    const team = (id: string, key: string, name: string, stateIdPrefix: string): void => {
      this.teams.set(id, { __typename: 'Team', id, key, name, createdAt: at, updatedAt: at, issueCount: 0 });
      STATE_SEED.forEach((s, i) => {
        const stateId = `${stateIdPrefix}${String(i + 1).padStart(2, '0')}`;
        this.states.set(stateId, { __typename: 'WorkflowState', id: stateId, teamId: id, ...s, position: i, createdAt: at, updatedAt: at });
      });
    };
    team(SANDBOX_SEED.teams.ENG, 'ENG', 'Engineering', '5b7c3a10-0000-4000-8000-00000000e1');
    team(SANDBOX_SEED.teams.OPS, 'OPS', 'Operations', '5b7c3a10-0000-4000-8000-00000000f1');

    const label = (id: string, name: string, color: string, teamId: string | null): void => {
      this.labels.set(id, {
        __typename: 'IssueLabel', id, name, color, description: null, teamId, creatorId: SANDBOX_SEED.salesUserId,
        createdAt: at, updatedAt: at, archivedAt: null,
      });
    };
    label(SANDBOX_SEED.labels['custom-request'], 'custom-request', '#5e6ad2', null);
    label(SANDBOX_SEED.labels.bug, 'bug', '#eb5757', SANDBOX_SEED.teams.ENG);
    label(SANDBOX_SEED.labels.feature, 'feature', '#4ea7fc', null);
    this.lastSyncId = 1000;
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  nextSyncId(): number {
    this.lastSyncId += 1;
    return this.lastSyncId;
  }

  newId(): string {
    return randomUUID();
  }

  identifierOf(issue: IssueRecord): string {
    return `${this.teamOf(issue).key}-${issue.number}`;
  }

  teamOf(issue: { teamId: string }): TeamRecord {
    const team = this.teams.get(issue.teamId);
    if (!team) throw new Error(`sandbox: team ${issue.teamId} is missing`);
    return team;
  }

  stateOf(issue: IssueRecord): WorkflowStateRecord {
    const state = this.states.get(issue.stateId);
    if (!state) throw new Error(`sandbox: workflow state ${issue.stateId} is missing`);
    return state;
  }

  /** An issue by UUID, identifier (`ENG-12`, case-insensitive) or a previous identifier. */
  findIssue(idOrIdentifier: string): IssueRecord | undefined {
    const byId = this.issues.get(idOrIdentifier);
    if (byId) return byId;
    const wanted = idOrIdentifier.toUpperCase();
    for (const issue of this.issues.values()) {
      if (this.identifierOf(issue) === wanted || issue.previousIdentifiers.includes(wanted)) return issue;
    }
    return undefined;
  }

  /** A team by UUID or key. */
  findTeam(idOrKey: string): TeamRecord | undefined {
    const byId = this.teams.get(idOrKey);
    if (byId) return byId;
    for (const team of this.teams.values()) if (team.key === idOrKey.toUpperCase()) return team;
    return undefined;
  }

  findUserByToken(token: string): UserRecord | undefined {
    for (const user of this.users.values()) if (user.apiKey === token) return user;
    return undefined;
  }

  statesOfTeam(teamId: string): WorkflowStateRecord[] {
    return [...this.states.values()].filter((s) => s.teamId === teamId).sort((a, b) => a.position - b.position);
  }

  labelsOf(issue: IssueRecord): IssueLabelRecord[] {
    return issue.labelIds.map((id) => this.labels.get(id)).filter((l): l is IssueLabelRecord => l !== undefined);
  }

  commentsOf(issueId: string): CommentRecord[] {
    return [...this.comments.values()].filter((c) => c.issueId === issueId);
  }

  attachmentsOf(issueId: string): AttachmentRecord[] {
    return [...this.attachments.values()].filter((a) => a.issueId === issueId);
  }

  needsOf(issueId: string): CustomerNeedRecord[] {
    return [...this.needs.values()].filter((n) => n.issueId === issueId && n.archivedAt === null);
  }
}
