/** The Jira Cloud platform REST v3 routes the sandbox serves. */
import { createHash } from 'node:crypto';
import { isAdfDoc, type AdfNode } from './adf.js';
import { commentJson, issueJson, statusJson, userJson } from './issue-json.js';
import { badRequest, errorBody, parseDuration, SandboxError } from './jira-format.js';
import { runJql } from './jql.js';
import { bodyObject, queryInt, queryList, type RouteContext, type SandboxRoute } from './route-table.js';
import {
  compare,
  propertyNotFound,
  type CommentOp,
  type IssueCreate,
  type IssueEdit,
  type LabelEdit,
  type SandboxState,
} from './sandbox-state.js';
import { findStatus, RANK_FIELD, SPRINT_FIELD, TRANSITIONS } from './seed-data.js';

const SEARCH_REMOVED =
  'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046';

const MAX_SEARCH_RESULTS = 5000;

function cannotSet(field: string): SandboxError {
  return badRequest([], { [field]: `Field '${field}' cannot be set. It is not on the appropriate screen, or unknown.` });
}

function estimate(value: unknown, field: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  const seconds = typeof value === 'string' ? parseDuration(value) : null;
  if (seconds === null) {
    throw badRequest([], { timetracking: `The ${field === 'remainingEstimate' ? 'remaining' : 'original'} estimate specified is not valid.` });
  }
  return seconds;
}

function stringOrNull(value: unknown, field: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw badRequest([], { [field]: `Operation value must be a string` });
  return value === '' ? null : value;
}

function numberOrNull(value: unknown, field: string): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw badRequest([], { [field]: 'Operation value must be a number' });
  return value;
}

function applyTimetracking(edit: IssueEdit, value: unknown): void {
  if (typeof value !== 'object' || value === null) throw badRequest([], { timetracking: 'Operation value must be an object' });
  const tt = value as Record<string, unknown>;
  if ('originalEstimate' in tt) edit.originalEstimate = estimate(tt.originalEstimate, 'originalEstimate');
  if ('remainingEstimate' in tt) edit.remainingEstimate = estimate(tt.remainingEstimate, 'remainingEstimate');
}

function labelList(value: unknown): string[] {
  if (!Array.isArray(value) || value.some((l) => typeof l !== 'string')) {
    throw badRequest([], { labels: 'Operation value must be a string' });
  }
  return value as string[];
}

/**
 * One `update.comment` operation (Jira Cloud's editmeta lists `add`, `edit` and `remove` for the
 * comment field): `{"add":{"body":ADF}}`, `{"edit":{"id":"10001","body":ADF}}`, `{"remove":{"id":"10001"}}`.
 * The bodies and ids are checked against the issue by the state, before anything is applied.
 */
function commentOp(verb: string | undefined, value: unknown): CommentOp {
  const v = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : null) as Record<string, unknown> | null;
  if (verb !== 'add' && verb !== 'edit' && verb !== 'remove') {
    throw badRequest([], { comment: `Unsupported operation '${String(verb)}'` });
  }
  if (v === null) throw badRequest([], { comment: 'Operation value must be an object' });
  if (verb === 'add') return { op: 'add', body: v.body };
  const id = typeof v.id === 'string' || typeof v.id === 'number' ? String(v.id) : null;
  if (id === null || id === '') throw badRequest([], { comment: 'A comment id is required.' });
  return verb === 'edit' ? { op: 'edit', id, body: v.body } : { op: 'remove', id };
}

/** Turns a create/edit body (`fields`, `update`, `properties`) into the state's edit. */
export function parseIssueBody(body: Record<string, unknown>, state: SandboxState, creating: boolean): IssueEdit & Partial<IssueCreate> {
  const edit: IssueEdit & Partial<IssueCreate> = {};
  const fields = (body.fields ?? {}) as Record<string, unknown>;
  const update = (body.update ?? {}) as Record<string, unknown>;
  const storyPointsId = state.storyPointsField.id;

  for (const [field, value] of Object.entries(fields)) {
    switch (field) {
      case 'project': {
        if (!creating) throw cannotSet(field);
        const p = (value ?? {}) as Record<string, unknown>;
        edit.projectKey = String(p.key ?? p.id ?? '');
        break;
      }
      case 'issuetype': {
        if (!creating) throw cannotSet(field);
        const t = (value ?? {}) as Record<string, unknown>;
        edit.issueType = String(t.name ?? t.id ?? '');
        break;
      }
      case 'summary':
        if (typeof value !== 'string') throw badRequest([], { summary: 'Operation value must be a string' });
        edit.summary = value;
        break;
      case 'description':
        if (value !== null && !isAdfDoc(value)) {
          throw badRequest([], { description: 'Operation value must be an Atlassian Document (see the Atlassian Document Format)' });
        }
        edit.description = value as AdfNode | null;
        break;
      case 'labels':
        edit.labels = { set: labelList(value) };
        break;
      case 'duedate':
        edit.dueDate = stringOrNull(value, 'duedate');
        break;
      case 'timetracking':
        applyTimetracking(edit, value);
        break;
      case 'timeoriginalestimate':
        // Not settable in real Jira (use timetracking); accepted here as a test convenience.
        edit.originalEstimate = numberOrNull(value, field);
        break;
      case 'reporter':
      case 'assignee':
      case 'priority':
        break;
      default:
        if (field === storyPointsId) edit.storyPoints = numberOrNull(value, field);
        else throw cannotSet(field);
    }
  }

  for (const [field, opsValue] of Object.entries(update)) {
    if (!Array.isArray(opsValue)) throw badRequest([], { [field]: 'Operation must be a list' });
    for (const op of opsValue as Record<string, unknown>[]) {
      const [verb, value] = Object.entries(op ?? {})[0] ?? [];
      if (field === 'comment' && !creating) {
        edit.comments = [...(edit.comments ?? []), commentOp(verb, value)];
      } else if (field === 'labels') {
        const labels: LabelEdit = edit.labels ?? {};
        if (verb === 'add') labels.add = [...(labels.add ?? []), ...labelList([value])];
        else if (verb === 'remove') labels.remove = [...(labels.remove ?? []), ...labelList([value])];
        else if (verb === 'set') labels.set = labelList(value);
        else throw badRequest([], { labels: `Unsupported operation '${String(verb)}'` });
        edit.labels = labels;
      } else if (field === 'timetracking' && (verb === 'edit' || verb === 'set')) {
        applyTimetracking(edit, value);
      } else if (verb === 'set' && field === 'summary') {
        edit.summary = String(value);
      } else if (verb === 'set' && field === 'duedate') {
        edit.dueDate = stringOrNull(value, field);
      } else if (verb === 'set' && field === storyPointsId) {
        edit.storyPoints = numberOrNull(value, field);
      } else {
        throw cannotSet(field);
      }
    }
  }

  if (body.properties !== undefined) {
    if (!Array.isArray(body.properties)) throw badRequest(['properties must be a list']);
    edit.properties = (body.properties as unknown[]).map((p) => {
      if (typeof p !== 'object' || p === null || Array.isArray(p)) throw badRequest(['Each property must be an object with a key and a value.']);
      const { key, value } = p as Record<string, unknown>;
      return { key: typeof key === 'string' ? key : String(key ?? ''), value };
    });
  }
  return edit;
}

function fieldsJson(state: SandboxState): Record<string, unknown>[] {
  const system = (id: string, name: string, type: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    id,
    key: id,
    name,
    custom: false,
    orderable: true,
    navigable: true,
    searchable: true,
    clauseNames: [id],
    schema: { type, system: id, ...extra },
  });
  const sp = state.storyPointsField;
  const spNumber = Number(sp.id.replace('customfield_', ''));
  return [
    system('summary', 'Summary', 'string'),
    system('issuetype', 'Issue Type', 'issuetype'),
    system('project', 'Project', 'project'),
    system('status', 'Status', 'status'),
    system('labels', 'Labels', 'array', { items: 'string' }),
    system('duedate', 'Due date', 'date'),
    system('created', 'Created', 'datetime'),
    system('updated', 'Updated', 'datetime'),
    system('description', 'Description', 'string'),
    system('timetracking', 'Time tracking', 'timetracking'),
    system('timeoriginalestimate', 'Original estimate', 'number'),
    system('timeestimate', 'Remaining Estimate', 'number'),
    system('reporter', 'Reporter', 'user'),
    system('assignee', 'Assignee', 'user'),
    system('comment', 'Comment', 'comments-page'),
    system('resolution', 'Resolution', 'resolution'),
    {
      id: RANK_FIELD.id,
      key: RANK_FIELD.id,
      name: RANK_FIELD.name,
      custom: true,
      orderable: true,
      navigable: true,
      searchable: true,
      clauseNames: [`cf[${RANK_FIELD.customId}]`, RANK_FIELD.name],
      schema: { type: 'any', custom: 'com.pyxis.greenhopper.jira:gh-lexo-rank', customId: RANK_FIELD.customId },
    },
    {
      id: sp.id,
      key: sp.id,
      name: sp.name,
      custom: true,
      orderable: true,
      navigable: true,
      searchable: true,
      clauseNames: [`cf[${spNumber}]`, sp.name],
      schema: { type: 'number', custom: 'com.pyxis.greenhopper.jira:jsw-story-points', customId: spNumber },
    },
    {
      id: SPRINT_FIELD.id,
      key: SPRINT_FIELD.id,
      name: SPRINT_FIELD.name,
      custom: true,
      orderable: true,
      navigable: true,
      searchable: true,
      clauseNames: [`cf[${SPRINT_FIELD.customId}]`, SPRINT_FIELD.name],
      schema: { type: 'array', items: 'json', custom: 'com.pyxis.greenhopper.jira:gh-sprint', customId: SPRINT_FIELD.customId },
    },
  ];
}

interface PageToken {
  offset: number;
  query: string;
}

function queryFingerprint(jql: string, fields: string[] | undefined): string {
  return createHash('sha256').update(JSON.stringify([jql, fields ?? []])).digest('base64url').slice(0, 16);
}

function search(ctx: RouteContext, params: Record<string, unknown>): void {
  const jql = typeof params.jql === 'string' ? params.jql : '';
  const fields = queryList(params.fields);
  const properties = queryList(params.properties);
  let maxResults = queryInt(params.maxResults, 'maxResults', 50);
  if (maxResults <= 0) maxResults = 50;
  maxResults = Math.min(maxResults, MAX_SEARCH_RESULTS);
  const fingerprint = queryFingerprint(jql, fields);
  let offset = 0;
  if (typeof params.nextPageToken === 'string' && params.nextPageToken !== '') {
    let token: PageToken | null = null;
    try {
      token = JSON.parse(Buffer.from(params.nextPageToken, 'base64url').toString('utf8')) as PageToken;
    } catch {
      token = null;
    }
    if (!token || typeof token.offset !== 'number' || token.query !== fingerprint) {
      throw badRequest(['The provided next page token is invalid or expired.']);
    }
    offset = token.offset;
  }
  const found = runJql(jql, { state: ctx.state, currentUserId: ctx.actor.accountId, now: ctx.state.now() }, true);
  const page = found.slice(offset, offset + maxResults);
  const isLast = offset + page.length >= found.length;
  const next: PageToken = { offset: offset + page.length, query: fingerprint };
  ctx.res.json({
    issues: page.map((issue) => issueJson(issue, ctx.render, { fields, defaultFields: 'id', properties })),
    ...(isLast ? {} : { nextPageToken: Buffer.from(JSON.stringify(next)).toString('base64url') }),
    isLast,
  });
}

function transitionsJson(ctx: RouteContext): Record<string, unknown> {
  return {
    expand: 'transitions',
    transitions: TRANSITIONS.map((t) => ({
      id: t.id,
      name: t.name,
      to: statusJson(findStatus(t.toStatusId), ctx.render),
      hasScreen: false,
      isGlobal: true,
      isInitial: false,
      isAvailable: true,
      isConditional: false,
      looped: false,
    })),
  };
}

export const V3_ROUTES: SandboxRoute[] = [
  {
    method: 'GET',
    path: '/rest/api/3/myself',
    api: 'v3',
    handle: (ctx) => {
      ctx.res.json({
        ...userJson(ctx.actor, ctx.render, true),
        locale: 'en_US',
        groups: { size: 1, items: [] },
        applicationRoles: { size: 1, items: [] },
        expand: 'groups,applicationRoles',
      });
    },
  },
  {
    method: 'GET',
    path: '/rest/api/3/field',
    api: 'v3',
    handle: (ctx) => ctx.res.json(fieldsJson(ctx.state)),
  },
  {
    method: 'POST',
    path: '/rest/api/3/issue',
    api: 'v3',
    handle: (ctx) => {
      const body = bodyObject(ctx.req.body);
      const edit = parseIssueBody(body, ctx.state, true);
      const issue = ctx.state.createIssue(
        { ...edit, projectKey: edit.projectKey ?? '', issueType: edit.issueType ?? '', summary: edit.summary ?? '' },
        ctx.actor,
      );
      ctx.res.status(201).json({ id: issue.id, key: issue.key, self: `${ctx.render.base}/rest/api/3/issue/${issue.id}` });
    },
  },
  {
    method: 'GET',
    path: '/rest/api/3/issue/{issueIdOrKey}',
    api: 'v3',
    handle: (ctx) => {
      const issue = ctx.state.get(ctx.param('issueIdOrKey'));
      ctx.res.json(
        issueJson(issue, ctx.render, {
          fields: queryList(ctx.req.query.fields),
          defaultFields: '*all',
          properties: queryList(ctx.req.query.properties),
        }),
      );
    },
  },
  {
    method: 'PUT',
    path: '/rest/api/3/issue/{issueIdOrKey}',
    api: 'v3',
    handle: (ctx) => {
      const issue = ctx.state.get(ctx.param('issueIdOrKey'));
      const edit = parseIssueBody(bodyObject(ctx.req.body), ctx.state, false);
      ctx.state.editIssue(issue.key, edit, ctx.actor);
      if (ctx.req.query.returnIssue === 'true') {
        ctx.res.json(issueJson(ctx.state.get(issue.key), ctx.render, { fields: undefined, defaultFields: '*all' }));
      } else {
        ctx.res.status(204).end();
      }
    },
  },
  {
    method: 'DELETE',
    path: '/rest/api/3/issue/{issueIdOrKey}',
    api: 'v3',
    handle: (ctx) => {
      ctx.state.deleteIssue(ctx.param('issueIdOrKey'), ctx.actor);
      ctx.res.status(204).end();
    },
  },
  {
    method: 'GET',
    path: '/rest/api/3/issue/{issueIdOrKey}/transitions',
    api: 'v3',
    handle: (ctx) => {
      ctx.state.get(ctx.param('issueIdOrKey'));
      ctx.res.json(transitionsJson(ctx));
    },
  },
  {
    method: 'POST',
    path: '/rest/api/3/issue/{issueIdOrKey}/transitions',
    api: 'v3',
    handle: (ctx) => {
      const issue = ctx.state.get(ctx.param('issueIdOrKey'));
      const body = bodyObject(ctx.req.body);
      const transition = (body.transition ?? {}) as Record<string, unknown>;
      if (typeof transition.id !== 'string' && typeof transition.id !== 'number') {
        throw badRequest(['Missing transition id']);
      }
      const edit = parseIssueBody(body, ctx.state, false);
      ctx.state.checkEdit(issue.key, edit, ctx.actor);
      ctx.state.transition(issue.key, String(transition.id), ctx.actor);
      ctx.state.editIssue(issue.key, edit, ctx.actor);
      ctx.res.status(204).end();
    },
  },
  {
    method: 'GET',
    path: '/rest/api/3/issue/{issueIdOrKey}/comment',
    api: 'v3',
    handle: (ctx) => {
      const issue = ctx.state.get(ctx.param('issueIdOrKey'));
      const startAt = Math.max(0, queryInt(ctx.req.query.startAt, 'startAt', 0));
      const maxResults = Math.min(5000, Math.max(0, queryInt(ctx.req.query.maxResults, 'maxResults', 100)));
      const orderBy = typeof ctx.req.query.orderBy === 'string' ? ctx.req.query.orderBy : 'created';
      const sorted = [...issue.comments].sort((a, b) => a.created - b.created || Number(a.id) - Number(b.id));
      if (orderBy === '-created') sorted.reverse();
      ctx.res.json({
        startAt,
        maxResults,
        total: sorted.length,
        comments: sorted.slice(startAt, startAt + maxResults).map((c) => commentJson(c, issue, ctx.render)),
      });
    },
  },
  {
    method: 'POST',
    path: '/rest/api/3/issue/{issueIdOrKey}/comment',
    api: 'v3',
    handle: (ctx) => {
      const issue = ctx.state.get(ctx.param('issueIdOrKey'));
      const comment = ctx.state.addComment(issue.key, bodyObject(ctx.req.body).body, ctx.actor);
      ctx.res.status(201).json(commentJson(comment, issue, ctx.render));
    },
  },
  {
    method: 'GET',
    path: '/rest/api/3/issue/{issueIdOrKey}/comment/{id}',
    api: 'v3',
    handle: (ctx) => {
      const issue = ctx.state.get(ctx.param('issueIdOrKey'));
      ctx.res.json(commentJson(ctx.state.comment(issue.key, ctx.param('id')), issue, ctx.render));
    },
  },
  {
    method: 'PUT',
    path: '/rest/api/3/issue/{issueIdOrKey}/comment/{id}',
    api: 'v3',
    handle: (ctx) => {
      const issue = ctx.state.get(ctx.param('issueIdOrKey'));
      const comment = ctx.state.editComment(issue.key, ctx.param('id'), bodyObject(ctx.req.body).body, ctx.actor);
      ctx.res.json(commentJson(comment, issue, ctx.render));
    },
  },
  {
    method: 'DELETE',
    path: '/rest/api/3/issue/{issueIdOrKey}/comment/{id}',
    api: 'v3',
    handle: (ctx) => {
      ctx.state.deleteComment(ctx.param('issueIdOrKey'), ctx.param('id'), ctx.actor);
      ctx.res.status(204).end();
    },
  },
  {
    method: 'GET',
    path: '/rest/api/3/issue/{issueIdOrKey}/properties',
    api: 'v3',
    handle: (ctx) => {
      const issue = ctx.state.get(ctx.param('issueIdOrKey'));
      ctx.res.json({
        keys: [...issue.properties.keys()].sort(compare).map((key) => ({
          self: `${ctx.render.base}/rest/api/3/issue/${issue.id}/properties/${encodeURIComponent(key)}`,
          key,
        })),
      });
    },
  },
  {
    method: 'GET',
    path: '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
    api: 'v3',
    handle: (ctx) => {
      const issue = ctx.state.get(ctx.param('issueIdOrKey'));
      const key = ctx.param('propertyKey');
      if (!issue.properties.has(key)) throw propertyNotFound(key);
      ctx.res.json({ key, value: issue.properties.get(key) });
    },
  },
  {
    method: 'PUT',
    path: '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
    api: 'v3',
    handle: (ctx) => {
      const issue = ctx.state.get(ctx.param('issueIdOrKey'));
      if (ctx.req.body === undefined) throw badRequest(['The property value must be a valid, non-empty JSON.']);
      const created = ctx.state.setProperty(issue.key, ctx.param('propertyKey'), ctx.req.body, ctx.actor);
      ctx.res.status(created ? 201 : 200).end();
    },
  },
  {
    method: 'DELETE',
    path: '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
    api: 'v3',
    handle: (ctx) => {
      ctx.state.deleteProperty(ctx.param('issueIdOrKey'), ctx.param('propertyKey'), ctx.actor);
      ctx.res.status(204).end();
    },
  },
  {
    method: 'GET',
    path: '/rest/api/3/search/jql',
    api: 'v3',
    handle: (ctx) => search(ctx, ctx.req.query as Record<string, unknown>),
  },
  {
    method: 'POST',
    path: '/rest/api/3/search/jql',
    api: 'v3',
    handle: (ctx) => search(ctx, bodyObject(ctx.req.body ?? {})),
  },
  {
    method: 'GET',
    path: '/rest/api/3/search',
    api: 'v3',
    handle: (ctx) => ctx.res.status(410).json(errorBody([SEARCH_REMOVED])),
  },
  {
    method: 'POST',
    path: '/rest/api/3/search',
    api: 'v3',
    handle: (ctx) => ctx.res.status(410).json(errorBody([SEARCH_REMOVED])),
  },
];
