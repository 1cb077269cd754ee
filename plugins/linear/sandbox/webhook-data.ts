/**
 * The `data` objects of Linear webhooks, as in the captured payloads (see
 * ../shared/specs/linear/webhooks): the entity's scalar fields, foreign ids, and a few embedded
 * summaries (`team`, `state`, `labels` on an Issue; `issue` on a Comment).
 */
import type { AttachmentRecord, CommentRecord, CustomerNeedRecord, IssueLabelRecord, IssueRecord, SandboxStore } from './sandbox-store.js';

const PRIORITY_LABELS = ['No priority', 'Urgent', 'High', 'Medium', 'Low'];

export function slug(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
}

export function issueUrl(store: SandboxStore, webBase: string, issue: IssueRecord): string {
  const s = slug(issue.title);
  return `${webBase}/issue/${store.identifierOf(issue)}${s ? `/${s}` : ''}`;
}

export function issueData(store: SandboxStore, webBase: string, issue: IssueRecord): Record<string, unknown> {
  const team = store.teamOf(issue);
  const state = store.stateOf(issue);
  return {
    id: issue.id,
    createdAt: issue.createdAt,
    updatedAt: issue.updatedAt,
    archivedAt: issue.archivedAt,
    number: issue.number,
    identifier: store.identifierOf(issue),
    title: issue.title,
    description: issue.description,
    priority: issue.priority,
    priorityLabel: PRIORITY_LABELS[issue.priority] ?? 'No priority',
    estimate: issue.estimate,
    sortOrder: issue.sortOrder,
    dueDate: issue.dueDate,
    trashed: issue.trashed,
    teamId: issue.teamId,
    stateId: issue.stateId,
    creatorId: issue.creatorId,
    previousIdentifiers: [...issue.previousIdentifiers],
    labelIds: [...issue.labelIds],
    labels: store.labelsOf(issue).map((l) => ({ id: l.id, name: l.name, color: l.color, parentId: null })),
    state: { id: state.id, color: state.color, name: state.name, type: state.type },
    team: { id: team.id, key: team.key, name: team.name },
    url: issueUrl(store, webBase, issue),
  };
}

export function commentData(store: SandboxStore, webBase: string, comment: CommentRecord): Record<string, unknown> {
  const issue = store.issues.get(comment.issueId);
  return {
    id: comment.id,
    createdAt: comment.createdAt,
    updatedAt: comment.updatedAt,
    archivedAt: comment.archivedAt,
    body: comment.body,
    edited: comment.editedAt !== null,
    editedAt: comment.editedAt,
    issueId: comment.issueId,
    userId: comment.userId,
    ...(issue
      ? { issue: { id: issue.id, identifier: store.identifierOf(issue), title: issue.title, teamId: issue.teamId, url: issueUrl(store, webBase, issue) } }
      : {}),
  };
}

export function labelData(label: IssueLabelRecord): Record<string, unknown> {
  return {
    id: label.id,
    createdAt: label.createdAt,
    updatedAt: label.updatedAt,
    archivedAt: label.archivedAt,
    name: label.name,
    color: label.color,
    description: label.description,
    teamId: label.teamId,
    creatorId: label.creatorId,
    parentId: null,
    isGroup: false,
  };
}

export function attachmentData(attachment: AttachmentRecord): Record<string, unknown> {
  return {
    id: attachment.id,
    createdAt: attachment.createdAt,
    updatedAt: attachment.updatedAt,
    archivedAt: attachment.archivedAt,
    title: attachment.title,
    subtitle: attachment.subtitle,
    url: attachment.url,
    creatorId: attachment.creatorId,
    issueId: attachment.issueId,
    metadata: attachment.metadata,
    groupBySource: attachment.groupBySource,
  };
}

export function customerNeedData(need: CustomerNeedRecord): Record<string, unknown> {
  return {
    id: need.id,
    createdAt: need.createdAt,
    updatedAt: need.updatedAt,
    archivedAt: need.archivedAt,
    issueId: need.issueId,
    body: need.body,
    priority: need.priority,
    creatorId: need.creatorId,
  };
}

/**
 * Linear's `updatedFrom`: the previous values of the keys that changed (nested summaries left out),
 * always with the previous `updatedAt`.
 */
export function updatedFrom(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(before)) {
    if (key === 'labels' || key === 'state' || key === 'team' || key === 'issue' || key === 'url' || key === 'identifier') continue;
    if (JSON.stringify(value) !== JSON.stringify(after[key])) out[key] = value ?? null;
  }
  out.updatedAt = before.updatedAt ?? null;
  return out;
}
