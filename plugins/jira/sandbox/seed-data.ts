/**
 * The sandbox site's fixed furniture: accounts, projects, issue types, statuses, transitions and
 * fields. Ids follow Jira Cloud's shapes (accountIds `712020:<uuid>`, numeric-string ids, the
 * simplified workflow's transition ids 11/21/31, `customfield_100NN`).
 */

export interface SandboxUser {
  accountId: string;
  displayName: string;
  email: string;
  apiToken: string;
  accountType: 'atlassian' | 'app';
  /** May register admin webhooks (Jira's "Administer Jira" global permission). */
  admin: boolean;
}

export const SANDBOX_BOT: Readonly<SandboxUser> = Object.freeze({
  accountId: '712020:3f0c9a57-6c1e-4b8e-9d2a-5a1b7c4e8f01',
  displayName: 'Pool Guard',
  email: 'pool-guard@example.com',
  apiToken: 'sandbox-bot-token',
  accountType: 'atlassian',
  admin: true,
});

export const SANDBOX_SALES: Readonly<SandboxUser> = Object.freeze({
  accountId: '712020:b2d4f6a8-1c3e-4a5b-8d7f-9e0a1b2c3d42',
  displayName: 'Sam Sales',
  email: 'sam@example.com',
  apiToken: 'sandbox-sales-token',
  accountType: 'atlassian',
  admin: false,
});

export interface SandboxProject {
  id: string;
  key: string;
  name: string;
}

export const DEFAULT_PROJECTS: readonly SandboxProject[] = [
  { id: '10000', key: 'CR', name: 'Customer Requests' },
  { id: '10001', key: 'OPS', name: 'Operations' },
];

export interface SandboxIssueType {
  id: string;
  name: string;
  description: string;
  hierarchyLevel: number;
}

export const ISSUE_TYPES: readonly SandboxIssueType[] = [
  { id: '10001', name: 'Story', description: 'Stories track functionality or features expressed as user goals.', hierarchyLevel: 0 },
  { id: '10002', name: 'Task', description: 'A small, distinct piece of work.', hierarchyLevel: 0 },
  { id: '10003', name: 'Bug', description: 'A problem or error.', hierarchyLevel: 0 },
  { id: '10004', name: 'Epic', description: 'A big user story that needs to be broken down.', hierarchyLevel: 1 },
];

export type StatusCategoryKey = 'new' | 'indeterminate' | 'done';

export interface SandboxStatus {
  id: string;
  name: string;
  category: { id: number; key: StatusCategoryKey; colorName: string; name: string };
}

export const STATUSES: readonly SandboxStatus[] = [
  { id: '10000', name: 'To Do', category: { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' } },
  { id: '3', name: 'In Progress', category: { id: 4, key: 'indeterminate', colorName: 'yellow', name: 'In Progress' } },
  { id: '10001', name: 'Done', category: { id: 3, key: 'done', colorName: 'green', name: 'Done' } },
];

/** Global transitions of the simplified workflow: any status can move to any other. */
export const TRANSITIONS: readonly { id: string; name: string; toStatusId: string }[] = [
  { id: '11', name: 'To Do', toStatusId: '10000' },
  { id: '21', name: 'In Progress', toStatusId: '3' },
  { id: '31', name: 'Done', toStatusId: '10001' },
];

export const RANK_FIELD = { id: 'customfield_10019', name: 'Rank', customId: 10019 } as const;
export const DEFAULT_STORY_POINTS_FIELD = { id: 'customfield_10016', name: 'Story point estimate' } as const;
export const SPRINT_FIELD = { id: 'customfield_10020', name: 'Sprint', customId: 10020 } as const;

/** Working time used to turn "2d" into seconds (Jira's defaults: 8 h days, 5 d weeks). */
export const HOURS_PER_DAY = 8;
export const DAYS_PER_WEEK = 5;

export function findStatus(id: string): SandboxStatus {
  const status = STATUSES.find((s) => s.id === id);
  if (!status) throw new Error(`unknown status ${id}`);
  return status;
}
