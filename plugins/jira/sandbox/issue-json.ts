/**
 * Issues, comments and users in Jira's JSON: REST v3 for API responses (rich text as ADF, `self`
 * under /rest/api/3) and the REST v2 representation that webhooks carry (rich text as wiki markup,
 * `issue.self` as `/rest/api/2/<id>` like the real captures).
 */
import { adfToWiki } from './adf.js';
import { formatDuration, formatJiraDate } from './jira-format.js';
import type { CommentRecord, IssueRecord, SandboxState } from './sandbox-state.js';
import { findStatus, ISSUE_TYPES, RANK_FIELD, SPRINT_FIELD, type SandboxStatus, type SandboxUser } from './seed-data.js';

export interface RenderContext {
  /** Absolute URL of the sandbox root, e.g. `http://127.0.0.1:4010/sandbox/jira`. */
  base: string;
  api: 2 | 3;
  state: SandboxState;
}

const ISSUE_EXPAND = 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations';

function avatarUrls(base: string, kind: 'user' | 'project', id: string): Record<string, string> {
  const path = kind === 'user' ? `${base}/secure/useravatar?avatarId=10122&ownerId=${encodeURIComponent(id)}` : `${base}/secure/projectavatar?pid=${id}`;
  return { '48x48': path, '24x24': `${path}&size=small`, '16x16': `${path}&size=xsmall`, '32x32': `${path}&size=medium` };
}

/** A user as Jira shows it to others (no email); `withEmail` for /myself. */
export function userJson(user: SandboxUser, ctx: RenderContext, withEmail = false): Record<string, unknown> {
  return {
    self: `${ctx.base}/rest/api/${ctx.api}/user?accountId=${encodeURIComponent(user.accountId)}`,
    accountId: user.accountId,
    ...(withEmail ? { emailAddress: user.email } : {}),
    avatarUrls: avatarUrls(ctx.base, 'user', user.accountId),
    displayName: user.displayName,
    active: true,
    timeZone: 'Etc/UTC',
    accountType: user.accountType,
  };
}

export function statusJson(status: SandboxStatus, ctx: RenderContext): Record<string, unknown> {
  return {
    self: `${ctx.base}/rest/api/${ctx.api}/status/${status.id}`,
    description: '',
    iconUrl: `${ctx.base}/`,
    name: status.name,
    id: status.id,
    statusCategory: {
      self: `${ctx.base}/rest/api/${ctx.api}/statuscategory/${status.category.id}`,
      id: status.category.id,
      key: status.category.key,
      colorName: status.category.colorName,
      name: status.category.name,
    },
  };
}

export function commentJson(comment: CommentRecord, issue: IssueRecord, ctx: RenderContext): Record<string, unknown> {
  return {
    self: `${ctx.base}/rest/api/${ctx.api}/issue/${issue.id}/comment/${comment.id}`,
    id: comment.id,
    author: userJson(ctx.state.userOrUnknown(comment.authorId), ctx),
    body: ctx.api === 3 ? comment.body : adfToWiki(comment.body),
    updateAuthor: userJson(ctx.state.userOrUnknown(comment.updateAuthorId), ctx),
    created: formatJiraDate(comment.created),
    updated: formatJiraDate(comment.updated),
    jsdPublic: true,
  };
}

/** Every field of the issue, keyed by field id. */
export function allFields(issue: IssueRecord, ctx: RenderContext): Record<string, unknown> {
  const { base, api } = ctx;
  const type = ISSUE_TYPES.find((t) => t.id === issue.issueTypeId)!;
  const project = ctx.state.project(issue.projectKey)!;
  const status = findStatus(issue.statusId);
  const hasTracking = issue.originalEstimate !== null || issue.remainingEstimate !== null;
  const progressTotal = issue.remainingEstimate ?? 0;
  const progress = progressTotal > 0 ? { progress: 0, total: progressTotal, percent: 0 } : { progress: 0, total: 0 };
  return {
    statuscategorychangedate: formatJiraDate(issue.statusChanged),
    issuetype: {
      self: `${base}/rest/api/${api}/issuetype/${type.id}`,
      id: type.id,
      description: type.description,
      iconUrl: `${base}/rest/api/2/universal_avatar/view/type/issuetype/avatar/10315?size=medium`,
      name: type.name,
      subtask: false,
      avatarId: 10315,
      hierarchyLevel: type.hierarchyLevel,
    },
    timespent: null,
    project: {
      self: `${base}/rest/api/${api}/project/${project.id}`,
      id: project.id,
      key: project.key,
      name: project.name,
      projectTypeKey: 'software',
      simplified: false,
      avatarUrls: avatarUrls(base, 'project', project.id),
    },
    fixVersions: [],
    aggregatetimespent: null,
    resolution:
      issue.resolutionDate === null
        ? null
        : { self: `${base}/rest/api/${api}/resolution/10000`, id: '10000', description: 'Work has been completed on this issue.', name: 'Done' },
    resolutiondate: issue.resolutionDate === null ? null : formatJiraDate(issue.resolutionDate),
    workratio: hasTracking ? 0 : -1,
    watches: { self: `${base}/rest/api/${api}/issue/${issue.key}/watchers`, watchCount: 1, isWatching: false },
    lastViewed: null,
    created: formatJiraDate(issue.created),
    [ctx.state.storyPointsField.id]: issue.storyPoints,
    [RANK_FIELD.id]: issue.rank,
    [SPRINT_FIELD.id]: null,
    priority: {
      self: `${base}/rest/api/${api}/priority/3`,
      iconUrl: `${base}/images/icons/priorities/medium.svg`,
      name: 'Medium',
      id: '3',
    },
    labels: [...issue.labels],
    aggregatetimeoriginalestimate: issue.originalEstimate,
    timeestimate: issue.remainingEstimate,
    timeoriginalestimate: issue.originalEstimate,
    aggregatetimeestimate: issue.remainingEstimate,
    versions: [],
    issuelinks: [],
    assignee: null,
    updated: formatJiraDate(issue.updated),
    status: statusJson(status, ctx),
    components: [],
    description: issue.description === null ? null : api === 3 ? issue.description : adfToWiki(issue.description),
    timetracking: hasTracking
      ? {
          ...(issue.originalEstimate !== null
            ? { originalEstimate: formatDuration(issue.originalEstimate), originalEstimateSeconds: issue.originalEstimate }
            : {}),
          ...(issue.remainingEstimate !== null
            ? { remainingEstimate: formatDuration(issue.remainingEstimate), remainingEstimateSeconds: issue.remainingEstimate }
            : {}),
        }
      : {},
    security: null,
    attachment: [],
    aggregateprogress: progress,
    progress,
    summary: issue.summary,
    creator: userJson(ctx.state.userOrUnknown(issue.creatorId), ctx),
    subtasks: [],
    reporter: userJson(ctx.state.userOrUnknown(issue.reporterId), ctx),
    environment: null,
    duedate: issue.dueDate,
    votes: { self: `${base}/rest/api/${api}/issue/${issue.key}/votes`, votes: 0, hasVoted: false },
    issuerestriction: { issuerestrictions: {}, shouldDisplay: true },
    comment: {
      comments: issue.comments.map((c) => commentJson(c, issue, ctx)),
      self: `${base}/rest/api/${api}/issue/${issue.id}/comment`,
      maxResults: issue.comments.length,
      total: issue.comments.length,
      startAt: 0,
    },
    worklog: { startAt: 0, maxResults: 20, total: 0, worklogs: [] },
  };
}

/** Fields left out of `*navigable` (they are only on the issue view). */
const NOT_NAVIGABLE = new Set(['comment', 'worklog', 'attachment', 'issuerestriction']);

/**
 * Which fields to return for a `fields` parameter: `*all`, `*navigable`, `id`, field ids, `-id` to
 * exclude. Null means "id only" (the search default).
 */
export function selectFieldIds(spec: string[] | undefined, defaults: '*all' | 'id', all: string[]): string[] | null {
  const tokens = (spec ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const positive = tokens.filter((t) => !t.startsWith('-'));
  const negative = new Set(tokens.filter((t) => t.startsWith('-')).map((t) => t.slice(1)));
  const wanted = positive.length > 0 ? positive : [defaults];
  const chosen = new Set<string>();
  for (const token of wanted) {
    if (token === '*all') all.forEach((f) => chosen.add(f));
    else if (token === '*navigable') all.filter((f) => !NOT_NAVIGABLE.has(f)).forEach((f) => chosen.add(f));
    else if (token === 'id' || token === 'key') continue;
    else if (all.includes(token)) chosen.add(token);
  }
  for (const f of negative) chosen.delete(f);
  if (wanted.every((t) => t === 'id')) return null;
  return [...chosen];
}

export interface IssueJsonOptions {
  fields: string[] | undefined;
  defaultFields: '*all' | 'id';
  properties?: string[] | undefined;
}

export function issueJson(issue: IssueRecord, ctx: RenderContext, options: IssueJsonOptions): Record<string, unknown> {
  const all = allFields(issue, ctx);
  const ids = selectFieldIds(options.fields, options.defaultFields, Object.keys(all));
  const propertyKeys = (options.properties ?? [])
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '' && p !== 'null');
  const properties =
    propertyKeys.length > 0
      ? { properties: Object.fromEntries(propertyKeys.filter((k) => issue.properties.has(k)).map((k) => [k, issue.properties.get(k)])) }
      : {};
  if (ids === null) return { id: issue.id, ...properties };
  return {
    expand: ISSUE_EXPAND,
    id: issue.id,
    self: `${ctx.base}/rest/api/${ctx.api}/issue/${issue.id}`,
    key: issue.key,
    fields: Object.fromEntries(ids.map((id) => [id, all[id]])),
    ...properties,
  };
}

/** The issue object inside a webhook body: REST v2 shape with every field. */
export function webhookIssueJson(issue: IssueRecord, ctx: RenderContext): Record<string, unknown> {
  return { id: issue.id, self: `${ctx.base}/rest/api/2/${issue.id}`, key: issue.key, fields: allFields(issue, ctx) };
}

/** The short issue carried by comment events. */
export function webhookIssueSummaryJson(issue: IssueRecord, ctx: RenderContext): Record<string, unknown> {
  const all = allFields(issue, ctx);
  const pick = ['summary', 'issuetype', 'project', 'assignee', 'priority', 'status'];
  return {
    id: issue.id,
    self: `${ctx.base}/rest/api/2/${issue.id}`,
    key: issue.key,
    fields: Object.fromEntries(pick.map((f) => [f, all[f]])),
  };
}
