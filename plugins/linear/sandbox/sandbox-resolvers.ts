/**
 * Executes the part of Linear's API Pool Guard uses, over the in-memory store. One field resolver
 * serves the whole schema: root Query/Mutation fields from the tables below, object fields from
 * `TYPE_FIELDS` or the record's own property, and every other field a neutral default
 * (see field-defaults.ts) so @linear/sdk's large generated documents still execute.
 * Mutations record entity changes on the context; the HTTP layer turns them into webhooks.
 */
import { GraphQLError, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { defaultFor } from './field-defaults.js';
import { entityNotFound, forbidden, invalidInput } from './linear-errors.js';
import { matchesFilter, type EntityKind } from './match-filter.js';
import { paginate, type PaginationArgs } from './paginate.js';
import type {
  AttachmentRecord,
  CommentRecord,
  CustomerNeedRecord,
  IssueLabelRecord,
  IssueRecord,
  SandboxStore,
  TeamRecord,
  UserRecord,
} from './sandbox-store.js';
import { attachmentData, commentData, customerNeedData, issueData, issueUrl, labelData, slug, updatedFrom } from './webhook-data.js';
import type { EntityChange, WebhookActor } from './webhook-dispatcher.js';

export interface SandboxContext {
  store: SandboxStore;
  viewer: UserRecord;
  /** Base of the human-facing URLs (`<webBase>/issue/ENG-1`). */
  webBase: string;
  nowMs: number;
  /** Changes made by this request, delivered as webhooks once it completes. */
  changes: EntityChange[];
}

type Args = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Resolver = (args: Args, ctx: SandboxContext) => unknown;
type FieldResolver = (source: any, args: Args, ctx: SandboxContext) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

function notImplemented(what: string): GraphQLError {
  return new GraphQLError(`The Linear sandbox does not implement ${what}`, {
    extensions: { type: 'other', code: 'SANDBOX_NOT_IMPLEMENTED', userError: false },
  });
}

function list<T extends object>(kind: EntityKind, items: readonly T[], args: Args, ctx: SandboxContext): unknown {
  const filtered = args.filter ? items.filter((item) => matchesFilter(kind, item, args.filter, filterCtx(ctx))) : items;
  return paginate(filtered as unknown as Array<T & { id: string; createdAt: string; updatedAt: string }>, args as PaginationArgs);
}

function filterCtx(ctx: SandboxContext): { store: SandboxStore; viewer: UserRecord; nowMs: number } {
  return { store: ctx.store, viewer: ctx.viewer, nowMs: ctx.nowMs };
}

function actorOf(ctx: SandboxContext): WebhookActor {
  return { id: ctx.viewer.id, name: ctx.viewer.name, email: ctx.viewer.email, url: `${ctx.webBase}/profiles/${ctx.viewer.displayName}`, type: 'user' };
}

function record(ctx: SandboxContext, change: Omit<EntityChange, 'actor' | 'createdAt'>): void {
  ctx.changes.push({ ...change, actor: actorOf(ctx), createdAt: new Date(ctx.nowMs).toISOString() });
}

function nowIso(ctx: SandboxContext): string {
  return new Date(ctx.nowMs).toISOString();
}

function requireIssue(ctx: SandboxContext, id: unknown): IssueRecord {
  const issue = typeof id === 'string' ? ctx.store.findIssue(id) : undefined;
  if (!issue) throw entityNotFound('Issue');
  return issue;
}

function requireTeam(ctx: SandboxContext, id: unknown): TeamRecord {
  const team = typeof id === 'string' ? ctx.store.findTeam(id) : undefined;
  if (!team) throw entityNotFound('Team');
  return team;
}

function requireById<T>(map: Map<string, T>, id: unknown, entity: string): T {
  const found = typeof id === 'string' ? map.get(id) : undefined;
  if (!found) throw entityNotFound(entity);
  return found;
}

function checkLabels(ctx: SandboxContext, teamId: string, labelIds: readonly string[]): void {
  for (const id of labelIds) {
    const label = ctx.store.labels.get(id);
    if (!label || label.archivedAt) throw invalidInput(`Label ${id} not found`, 'One of the labels could not be found.');
    if (label.teamId !== null && label.teamId !== teamId) {
      throw invalidInput(`Label ${label.name} belongs to another team`, `The label "${label.name}" does not belong to the issue's team.`);
    }
  }
}

function checkDate(value: unknown, field: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw invalidInput(`${field} must be a date (YYYY-MM-DD)`);
  }
  return value;
}

/** Applies `mutate` to an issue and records an `update` with `updatedFrom` when anything changed. */
function changeIssue(ctx: SandboxContext, issue: IssueRecord, mutate: () => void): void {
  const before = issueData(ctx.store, ctx.webBase, issue);
  const previousUpdatedAt = issue.updatedAt;
  mutate();
  issue.updatedAt = previousUpdatedAt;
  const unchanged = issueData(ctx.store, ctx.webBase, issue);
  if (JSON.stringify(before) === JSON.stringify(unchanged)) return;
  issue.updatedAt = nowIso(ctx);
  const after = issueData(ctx.store, ctx.webBase, issue);
  record(ctx, { action: 'update', type: 'Issue', data: after, updatedFrom: updatedFrom(before, after), url: String(after.url) });
}

function labelName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw invalidInput('Label name must not be empty');
  return name.trim();
}

const QUERY: Record<string, Resolver> = {
  viewer: (_a, ctx) => ctx.viewer,
  organization: (_a, ctx) => ctx.store.organization,
  issue: (a, ctx) => requireIssue(ctx, a.id),
  issues: (a, ctx) => list('Issue', [...ctx.store.issues.values()], a, ctx),
  team: (a, ctx) => requireTeam(ctx, a.id),
  teams: (a, ctx) => list('Team', [...ctx.store.teams.values()], a, ctx),
  issueLabel: (a, ctx) => requireById(ctx.store.labels, a.id, 'IssueLabel'),
  issueLabels: (a, ctx) => list('IssueLabel', [...ctx.store.labels.values()], a, ctx),
  comment: (a, ctx) => requireById(ctx.store.comments, a.id, 'Comment'),
  comments: (a, ctx) => list('Comment', [...ctx.store.comments.values()], a, ctx),
  attachment: (a, ctx) => requireById(ctx.store.attachments, a.id, 'Attachment'),
  attachments: (a, ctx) => list('Attachment', [...ctx.store.attachments.values()], a, ctx),
  attachmentsForURL: (a, ctx) => list('Attachment', [...ctx.store.attachments.values()].filter((x) => x.url === a.url), a, ctx),
  workflowState: (a, ctx) => requireById(ctx.store.states, a.id, 'WorkflowState'),
  workflowStates: (a, ctx) => list('WorkflowState', [...ctx.store.states.values()], a, ctx),
  user: (a, ctx) => requireById(ctx.store.users, a.id, 'User'),
  users: (a, ctx) => list('User', [...ctx.store.users.values()], a, ctx),
  customerNeed: (a, ctx) => requireById(ctx.store.needs, a.id, 'CustomerNeed'),
};

const MUTATION: Record<string, Resolver> = {
  issueCreate: ({ input }, ctx) => {
    const team = requireTeam(ctx, input.teamId);
    const states = ctx.store.statesOfTeam(team.id);
    let stateId = states.find((s) => s.type === 'backlog')?.id ?? states[0]?.id ?? '';
    if (input.stateId != null) {
      const state = ctx.store.states.get(input.stateId);
      if (!state || state.teamId !== team.id) throw invalidInput('Workflow state does not belong to the team');
      stateId = state.id;
    }
    const labelIds: string[] = [...new Set<string>(input.labelIds ?? [])];
    checkLabels(ctx, team.id, labelIds);
    const teamIssues = [...ctx.store.issues.values()].filter((i) => i.teamId === team.id);
    const at = input.createdAt ?? nowIso(ctx);
    team.issueCount += 1;
    const issue: IssueRecord = {
      __typename: 'Issue',
      id: input.id ?? ctx.store.newId(),
      teamId: team.id,
      number: team.issueCount,
      previousIdentifiers: [],
      title: input.title ?? '',
      description: input.description ?? null,
      priority: input.priority ?? 0,
      estimate: input.estimate ?? null,
      dueDate: input.dueDate === undefined ? null : checkDate(input.dueDate, 'dueDate'),
      sortOrder: input.sortOrder ?? (teamIssues.length ? Math.max(...teamIssues.map((i) => i.sortOrder)) + 100 : 0),
      stateId,
      labelIds,
      creatorId: ctx.viewer.id,
      createdAt: at,
      updatedAt: at,
      archivedAt: null,
      trashed: null,
    };
    if (ctx.store.issues.has(issue.id)) throw invalidInput('An issue with this id already exists');
    ctx.store.issues.set(issue.id, issue);
    const data = issueData(ctx.store, ctx.webBase, issue);
    record(ctx, { action: 'create', type: 'Issue', data, url: String(data.url) });
    return { success: true, lastSyncId: ctx.store.nextSyncId(), issue };
  },

  issueUpdate: ({ id, input }, ctx) => {
    const issue = requireIssue(ctx, id);
    changeIssue(ctx, issue, () => {
      if (input.teamId != null && input.teamId !== issue.teamId) moveIssue(ctx, issue, requireTeam(ctx, input.teamId));
      if (input.title !== undefined && input.title !== null) issue.title = input.title;
      if (input.description !== undefined) issue.description = input.description;
      if (input.priority !== undefined && input.priority !== null) issue.priority = input.priority;
      if (input.estimate !== undefined) issue.estimate = input.estimate;
      if (input.dueDate !== undefined) issue.dueDate = checkDate(input.dueDate, 'dueDate');
      if (input.sortOrder !== undefined && input.sortOrder !== null) issue.sortOrder = input.sortOrder;
      if (input.stateId != null) {
        const state = ctx.store.states.get(input.stateId);
        if (!state || state.teamId !== issue.teamId) throw invalidInput('Workflow state does not belong to the issue\'s team');
        issue.stateId = state.id;
      }
      if (input.labelIds != null) {
        checkLabels(ctx, issue.teamId, input.labelIds);
        issue.labelIds = [...new Set<string>(input.labelIds)];
      }
      if (input.addedLabelIds != null) {
        checkLabels(ctx, issue.teamId, input.addedLabelIds);
        for (const labelId of input.addedLabelIds as string[]) if (!issue.labelIds.includes(labelId)) issue.labelIds.push(labelId);
      }
      if (input.removedLabelIds != null) {
        const removed = new Set<string>(input.removedLabelIds);
        issue.labelIds = issue.labelIds.filter((labelId) => !removed.has(labelId));
      }
      if (input.trashed === true && !issue.trashed) {
        issue.trashed = true;
        issue.archivedAt = nowIso(ctx);
      } else if (input.trashed === false && issue.trashed) {
        issue.trashed = null;
        issue.archivedAt = null;
      }
    });
    return { success: true, lastSyncId: ctx.store.nextSyncId(), issue };
  },

  issueAddLabel: ({ id, labelId }, ctx) => MUTATION.issueUpdate!({ id, input: { addedLabelIds: [labelId] } }, ctx),
  issueRemoveLabel: ({ id, labelId }, ctx) => MUTATION.issueUpdate!({ id, input: { removedLabelIds: [labelId] } }, ctx),

  /** Moves the issue to the trash: Linear sends `remove` with `trashed: true` and `archivedAt` set. */
  issueDelete: ({ id, permanentlyDelete }, ctx) => {
    const issue = requireIssue(ctx, id);
    if (permanentlyDelete === true) {
      if (!ctx.viewer.admin) throw forbidden('Only admins can permanently delete issues');
      ctx.store.issues.delete(issue.id);
      for (const c of ctx.store.commentsOf(issue.id)) ctx.store.comments.delete(c.id);
      for (const a of ctx.store.attachmentsOf(issue.id)) ctx.store.attachments.delete(a.id);
    } else {
      issue.trashed = true;
      issue.archivedAt = nowIso(ctx);
      issue.updatedAt = nowIso(ctx);
    }
    const data = issueData(ctx.store, ctx.webBase, issue);
    record(ctx, { action: 'remove', type: 'Issue', data, url: String(data.url) });
    return { success: true, lastSyncId: ctx.store.nextSyncId(), entity: permanentlyDelete === true ? null : issue };
  },

  /** Archives (or with `trash: true` trashes) the issue; sent as an `update` with `archivedAt` set. */
  issueArchive: ({ id, trash }, ctx) => {
    const issue = requireIssue(ctx, id);
    changeIssue(ctx, issue, () => {
      issue.archivedAt = issue.archivedAt ?? nowIso(ctx);
      if (trash === true) issue.trashed = true;
    });
    return { success: true, lastSyncId: ctx.store.nextSyncId(), entity: issue };
  },

  issueUnarchive: ({ id }, ctx) => {
    const issue = requireIssue(ctx, id);
    changeIssue(ctx, issue, () => {
      issue.archivedAt = null;
      issue.trashed = null;
    });
    return { success: true, lastSyncId: ctx.store.nextSyncId(), entity: issue };
  },

  commentCreate: ({ input }, ctx) => {
    if (input.issueId == null) throw invalidInput('The sandbox supports comments on issues only (issueId is required)');
    const issue = requireIssue(ctx, input.issueId);
    if (typeof input.body !== 'string' || input.body.trim() === '') throw invalidInput('Comment body must not be empty');
    const at = nowIso(ctx);
    const comment: CommentRecord = {
      __typename: 'Comment',
      id: input.id ?? ctx.store.newId(),
      issueId: issue.id,
      userId: ctx.viewer.id,
      body: input.body,
      createdAt: at,
      updatedAt: at,
      editedAt: null,
      archivedAt: null,
    };
    ctx.store.comments.set(comment.id, comment);
    record(ctx, { action: 'create', type: 'Comment', data: commentData(ctx.store, ctx.webBase, comment), url: commentUrl(ctx, comment) });
    return { success: true, lastSyncId: ctx.store.nextSyncId(), comment };
  },

  commentUpdate: ({ id, input, skipEditedAt }, ctx) => {
    const comment = requireById(ctx.store.comments, id, 'Comment');
    if (comment.archivedAt) throw entityNotFound('Comment');
    if (comment.userId !== ctx.viewer.id) throw forbidden('You can only edit your own comments');
    if (typeof input.body === 'string' && input.body !== comment.body) {
      const before = commentData(ctx.store, ctx.webBase, comment);
      comment.body = input.body;
      comment.updatedAt = nowIso(ctx);
      if (skipEditedAt !== true) comment.editedAt = comment.updatedAt;
      const after = commentData(ctx.store, ctx.webBase, comment);
      record(ctx, { action: 'update', type: 'Comment', data: after, updatedFrom: updatedFrom(before, after), url: commentUrl(ctx, comment) });
    }
    return { success: true, lastSyncId: ctx.store.nextSyncId(), comment };
  },

  commentDelete: ({ id }, ctx) => {
    const comment = requireById(ctx.store.comments, id, 'Comment');
    if (comment.userId !== ctx.viewer.id && !ctx.viewer.admin) throw forbidden('You can only delete your own comments');
    ctx.store.comments.delete(comment.id);
    comment.archivedAt = nowIso(ctx);
    record(ctx, { action: 'remove', type: 'Comment', data: commentData(ctx.store, ctx.webBase, comment), url: commentUrl(ctx, comment) });
    return { success: true, lastSyncId: ctx.store.nextSyncId(), entityId: comment.id };
  },

  issueLabelCreate: ({ input }, ctx) => {
    const name = labelName(input.name);
    const teamId: string | null = input.teamId == null ? null : requireTeam(ctx, input.teamId).id;
    for (const existing of ctx.store.labels.values()) {
      if (existing.archivedAt || existing.name.toLowerCase() !== name.toLowerCase()) continue;
      if (existing.teamId === teamId || existing.teamId === null || teamId === null) {
        throw invalidInput(`Duplicate label name: ${name}`, `A label named "${name}" already exists.`);
      }
    }
    const at = nowIso(ctx);
    const label: IssueLabelRecord = {
      __typename: 'IssueLabel',
      id: input.id ?? ctx.store.newId(),
      name,
      color: input.color ?? '#bec2c8',
      description: input.description ?? null,
      teamId,
      creatorId: ctx.viewer.id,
      createdAt: at,
      updatedAt: at,
      archivedAt: null,
    };
    ctx.store.labels.set(label.id, label);
    record(ctx, { action: 'create', type: 'IssueLabel', data: labelData(label), url: `${ctx.webBase}/settings/labels` });
    return { success: true, lastSyncId: ctx.store.nextSyncId(), issueLabel: label };
  },

  /** Linear's idempotency rule: the same `url` on the same issue updates the existing attachment. */
  attachmentCreate: ({ input }, ctx) => {
    const issue = requireIssue(ctx, input.issueId);
    if (typeof input.url !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(input.url)) throw invalidInput('url must be a URL');
    const at = nowIso(ctx);
    const existing = ctx.store.attachmentsOf(issue.id).find((a) => a.url === input.url && !a.archivedAt);
    if (existing) {
      const before = attachmentData(existing);
      existing.title = input.title;
      if (input.subtitle !== undefined) existing.subtitle = input.subtitle;
      if (input.metadata !== undefined && input.metadata !== null) existing.metadata = input.metadata;
      if (input.iconUrl !== undefined) existing.iconUrl = input.iconUrl;
      const unchanged = attachmentData(existing);
      if (JSON.stringify(before) !== JSON.stringify(unchanged)) {
        existing.updatedAt = at;
        const after = attachmentData(existing);
        record(ctx, { action: 'update', type: 'Attachment', data: after, updatedFrom: updatedFrom(before, after), url: existing.url });
      }
      return { success: true, lastSyncId: ctx.store.nextSyncId(), attachment: existing };
    }
    const attachment: AttachmentRecord = {
      __typename: 'Attachment',
      id: input.id ?? ctx.store.newId(),
      issueId: issue.id,
      url: input.url,
      title: input.title,
      subtitle: input.subtitle ?? null,
      iconUrl: input.iconUrl ?? null,
      metadata: input.metadata ?? {},
      groupBySource: input.groupBySource ?? false,
      creatorId: ctx.viewer.id,
      createdAt: at,
      updatedAt: at,
      archivedAt: null,
    };
    ctx.store.attachments.set(attachment.id, attachment);
    record(ctx, { action: 'create', type: 'Attachment', data: attachmentData(attachment), url: attachment.url });
    return { success: true, lastSyncId: ctx.store.nextSyncId(), attachment };
  },

  attachmentDelete: ({ id }, ctx) => {
    const attachment = requireById(ctx.store.attachments, id, 'Attachment');
    ctx.store.attachments.delete(attachment.id);
    attachment.archivedAt = nowIso(ctx);
    record(ctx, { action: 'remove', type: 'Attachment', data: attachmentData(attachment), url: attachment.url });
    return { success: true, lastSyncId: ctx.store.nextSyncId(), entityId: attachment.id };
  },

  customerNeedCreate: ({ input }, ctx) => {
    if (input.issueId == null) throw invalidInput('The sandbox supports customer needs on issues only (issueId is required)');
    const issue = requireIssue(ctx, input.issueId);
    const at = nowIso(ctx);
    const need: CustomerNeedRecord = {
      __typename: 'CustomerNeed',
      id: input.id ?? ctx.store.newId(),
      issueId: issue.id,
      body: input.body ?? null,
      priority: input.priority ?? 0,
      creatorId: ctx.viewer.id,
      createdAt: at,
      updatedAt: at,
      archivedAt: null,
    };
    ctx.store.needs.set(need.id, need);
    record(ctx, { action: 'create', type: 'CustomerNeed', data: customerNeedData(need), url: issueUrl(ctx.store, ctx.webBase, issue) });
    return { success: true, lastSyncId: ctx.store.nextSyncId(), need };
  },
};

function commentUrl(ctx: SandboxContext, comment: CommentRecord): string {
  const issue = ctx.store.issues.get(comment.issueId);
  const base = issue ? issueUrl(ctx.store, ctx.webBase, issue) : `${ctx.webBase}/issue/${comment.issueId}`;
  return `${base}#comment-${comment.id.slice(0, 8)}`;
}

/** Moves an issue to another team: a new number, the old identifier kept, same-type state, team labels dropped. */
function moveIssue(ctx: SandboxContext, issue: IssueRecord, team: TeamRecord): void {
  const oldIdentifier = ctx.store.identifierOf(issue);
  const stateType = ctx.store.stateOf(issue).type;
  team.issueCount += 1;
  issue.previousIdentifiers = [...issue.previousIdentifiers, oldIdentifier];
  issue.teamId = team.id;
  issue.number = team.issueCount;
  const states = ctx.store.statesOfTeam(team.id);
  issue.stateId = (states.find((s) => s.type === stateType) ?? states[0])?.id ?? issue.stateId;
  issue.labelIds = issue.labelIds.filter((id) => ctx.store.labels.get(id)?.teamId === null);
}

const TYPE_FIELDS: Record<string, Record<string, FieldResolver>> = {
  Issue: {
    identifier: (i: IssueRecord, _a, ctx) => ctx.store.identifierOf(i),
    url: (i: IssueRecord, _a, ctx) => issueUrl(ctx.store, ctx.webBase, i),
    branchName: (i: IssueRecord, _a, ctx) => `${ctx.store.identifierOf(i).toLowerCase()}-${slug(i.title)}`,
    team: (i: IssueRecord, _a, ctx) => ctx.store.teamOf(i),
    state: (i: IssueRecord, _a, ctx) => ctx.store.stateOf(i),
    creator: (i: IssueRecord, _a, ctx) => (i.creatorId ? ctx.store.users.get(i.creatorId) ?? null : null),
    labels: (i: IssueRecord, a, ctx) => list('IssueLabel', ctx.store.labelsOf(i), { includeArchived: true, ...a }, ctx),
    comments: (i: IssueRecord, a, ctx) => list('Comment', ctx.store.commentsOf(i.id), a, ctx),
    attachments: (i: IssueRecord, a, ctx) => list('Attachment', ctx.store.attachmentsOf(i.id), a, ctx),
    needs: (i: IssueRecord, a, ctx) => list('CustomerNeed', ctx.store.needsOf(i.id), a, ctx),
    customerTicketCount: (i: IssueRecord, _a, ctx) => ctx.store.needsOf(i.id).length,
    boardOrder: (i: IssueRecord) => i.sortOrder,
    priorityLabel: (i: IssueRecord) => ['No priority', 'Urgent', 'High', 'Medium', 'Low'][i.priority] ?? 'No priority',
  },
  Team: {
    organization: (_t, _a, ctx) => ctx.store.organization,
    displayName: (t: TeamRecord) => t.name,
    states: (t: TeamRecord, a, ctx) => list('WorkflowState', ctx.store.statesOfTeam(t.id), a, ctx),
    labels: (t: TeamRecord, a, ctx) => list('IssueLabel', [...ctx.store.labels.values()].filter((l) => l.teamId === t.id), a, ctx),
    issues: (t: TeamRecord, a, ctx) => list('Issue', [...ctx.store.issues.values()].filter((i) => i.teamId === t.id), a, ctx),
    members: (_t, a, ctx) => list('User', [...ctx.store.users.values()], a, ctx),
    issueEstimationType: () => 'fibonacci',
    timezone: () => 'Etc/UTC',
  },
  WorkflowState: {
    team: (s: { teamId: string }, _a, ctx) => ctx.store.teamOf(s),
    issues: (s: { id: string }, a, ctx) => list('Issue', [...ctx.store.issues.values()].filter((i) => i.stateId === s.id), a, ctx),
  },
  IssueLabel: {
    team: (l: IssueLabelRecord, _a, ctx) => (l.teamId ? ctx.store.teams.get(l.teamId) ?? null : null),
    creator: (l: IssueLabelRecord, _a, ctx) => (l.creatorId ? ctx.store.users.get(l.creatorId) ?? null : null),
    organization: (_l, _a, ctx) => ctx.store.organization,
    issues: (l: IssueLabelRecord, a, ctx) => list('Issue', [...ctx.store.issues.values()].filter((i) => i.labelIds.includes(l.id)), a, ctx),
  },
  Comment: {
    issue: (c: CommentRecord, _a, ctx) => ctx.store.issues.get(c.issueId) ?? null,
    user: (c: CommentRecord, _a, ctx) => ctx.store.users.get(c.userId) ?? null,
    url: (c: CommentRecord, _a, ctx) => commentUrl(ctx, c),
    bodyData: (c: CommentRecord) => JSON.stringify({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: c.body }] }] }),
  },
  Attachment: {
    issue: (x: AttachmentRecord, _a, ctx) => requireIssue(ctx, x.issueId),
    creator: (x: AttachmentRecord, _a, ctx) => (x.creatorId ? ctx.store.users.get(x.creatorId) ?? null : null),
  },
  CustomerNeed: {
    issue: (n: CustomerNeedRecord, _a, ctx) => ctx.store.issues.get(n.issueId) ?? null,
  },
  User: {
    organization: (_u, _a, ctx) => ctx.store.organization,
    isMe: (u: UserRecord, _a, ctx) => u.id === ctx.viewer.id,
    url: (u: UserRecord, _a, ctx) => `${ctx.webBase}/profiles/${u.displayName}`,
    initials: (u: UserRecord) => u.name.split(/\s+/).map((p) => p[0] ?? '').join('').slice(0, 2).toUpperCase(),
    teams: (_u, a, ctx) => list('Team', [...ctx.store.teams.values()], a, ctx),
  },
  Organization: {
    teams: (_o, a, ctx) => list('Team', [...ctx.store.teams.values()], a, ctx),
    users: (_o, a, ctx) => list('User', [...ctx.store.users.values()], a, ctx),
    labels: (_o, a, ctx) => list('IssueLabel', [...ctx.store.labels.values()], a, ctx),
    userCount: (_o, _a, ctx) => ctx.store.users.size,
  },
};

/** The one field resolver handed to graphql-js `execute`. */
export function createFieldResolver(schema: GraphQLSchema): GraphQLFieldResolver<unknown, SandboxContext> {
  const queryType = schema.getQueryType();
  const mutationType = schema.getMutationType();
  return (source, args, ctx, info) => {
    if (info.parentType === queryType) {
      const resolve = QUERY[info.fieldName];
      if (!resolve) throw notImplemented(`Query.${info.fieldName}`);
      return resolve(args, ctx);
    }
    if (info.parentType === mutationType) {
      const resolve = MUTATION[info.fieldName];
      if (!resolve) throw notImplemented(`Mutation.${info.fieldName}`);
      return resolve(args, ctx);
    }
    const own = TYPE_FIELDS[info.parentType.name]?.[info.fieldName];
    if (own) return own(source, args, ctx);
    if (source !== null && typeof source === 'object' && Object.prototype.hasOwnProperty.call(source, info.fieldName)) {
      const value = (source as Record<string, unknown>)[info.fieldName];
      if (value !== undefined) return value;
    }
    return defaultFor(info.returnType, info.schema);
  };
}

export const IMPLEMENTED_OPERATIONS = { queries: Object.keys(QUERY), mutations: Object.keys(MUTATION) };
