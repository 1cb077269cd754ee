/**
 * The sandbox site's data and every way it can change. REST routes and test helpers both go through
 * these methods, so both bump `updated`, record changelog items and emit the same changes (which
 * become webhook deliveries). Values are validated here with Jira's error bodies.
 */
import type { AdfNode } from './adf.js';
import { isAdfDoc } from './adf.js';
import { badRequest, errorBody, isIsoDate, issueNotFound, SandboxError } from './jira-format.js';
import { rankAfterLast, rankBetween } from './lexo-rank.js';
import {
  findStatus,
  ISSUE_TYPES,
  RANK_FIELD,
  STATUSES,
  TRANSITIONS,
  type SandboxIssueType,
  type SandboxProject,
  type SandboxUser,
} from './seed-data.js';

export interface CommentRecord {
  id: string;
  authorId: string;
  updateAuthorId: string;
  body: AdfNode;
  created: number;
  updated: number;
}

export interface IssueRecord {
  id: string;
  key: string;
  projectKey: string;
  number: number;
  summary: string;
  description: AdfNode | null;
  issueTypeId: string;
  statusId: string;
  labels: string[];
  dueDate: string | null;
  /** Seconds. */
  originalEstimate: number | null;
  remainingEstimate: number | null;
  storyPoints: number | null;
  rank: string;
  created: number;
  updated: number;
  statusChanged: number;
  resolutionDate: number | null;
  creatorId: string;
  reporterId: string;
  comments: CommentRecord[];
  properties: Map<string, unknown>;
}

export interface ChangelogItem {
  field: string;
  fieldtype: 'jira' | 'custom';
  fieldId: string;
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

/**
 * What happened, with the live issue and comment (not copies): `onChange` must take what it needs
 * before it returns. The webhook dispatcher renders each payload to its bytes right then (only the
 * bytes wait for the asynchronous delivery), so a later change of the issue cannot leak into it.
 * Copying the whole issue for every change (`structuredClone`) cost the bench's end-to-end run,
 * where each of Pool Guard's writes makes three changes, 3 % of a core (the bench process, which
 * runs the sandbox, at 200 changes/s: 74.6-74.8 % -> 71.5-71.6 % of a core).
 */
export type SandboxChange =
  | { kind: 'issue_created'; issue: IssueRecord; actor: SandboxUser; at: number }
  | {
      kind: 'issue_updated';
      eventTypeName: 'issue_updated' | 'issue_generic' | 'issue_commented' | 'issue_comment_edited';
      issue: IssueRecord;
      actor: SandboxUser;
      at: number;
      changelog: { id: string; items: ChangelogItem[] } | null;
      comment: CommentRecord | null;
    }
  | { kind: 'issue_deleted'; issue: IssueRecord; actor: SandboxUser; at: number }
  | { kind: 'comment_created' | 'comment_updated' | 'comment_deleted'; issue: IssueRecord; comment: CommentRecord; actor: SandboxUser; at: number }
  | {
      kind: 'issue_property_set' | 'issue_property_deleted';
      issue: IssueRecord;
      property: { key: string; value: unknown };
      actor: SandboxUser;
      at: number;
    };

export interface LabelEdit {
  set?: string[];
  add?: string[];
  remove?: string[];
}

/**
 * One `update.comment` operation of an edit: `{"add":{"body":ADF}}`, `{"edit":{"id","body":ADF}}` or
 * `{"remove":{"id"}}`. Each has the effect (and fires the webhooks) of the comment endpoint's POST,
 * PUT or DELETE.
 */
export type CommentOp = { op: 'add'; body: unknown } | { op: 'edit'; id: string; body: unknown } | { op: 'remove'; id: string };

/** A field edit in Jira's terms; absent members are left alone. */
export interface IssueEdit {
  summary?: string;
  description?: AdfNode | null;
  labels?: LabelEdit;
  dueDate?: string | null;
  originalEstimate?: number | null;
  remainingEstimate?: number | null;
  storyPoints?: number | null;
  /** `update.comment` operations, in order (edits only; not on create). */
  comments?: CommentOp[];
  properties?: { key: string; value: unknown }[];
}

export interface IssueCreate extends IssueEdit {
  projectKey: string;
  issueType: string;
  summary: string;
}

export const MAX_PROPERTY_CHARS = 32768;
export const MAX_PROPERTY_KEY_CHARS = 255;

export interface SandboxStateOptions {
  now: () => number;
  users: readonly SandboxUser[];
  projects: readonly SandboxProject[];
  storyPointsField: { id: string; name: string };
  onChange: (change: SandboxChange) => void;
}

export class SandboxState {
  readonly users: readonly SandboxUser[];
  readonly projects: readonly SandboxProject[];
  private issues = new Map<string, IssueRecord>();
  private idToKey = new Map<string, string>();
  private nextIssueId = 10000;
  private nextCommentId = 10000;
  private nextChangelogId = 10100;
  private projectCounters = new Map<string, number>();

  constructor(private readonly options: SandboxStateOptions) {
    this.users = options.users;
    this.projects = options.projects;
  }

  get storyPointsField(): { id: string; name: string } {
    return this.options.storyPointsField;
  }

  now(): number {
    return this.options.now();
  }

  reset(): void {
    this.issues.clear();
    this.idToKey.clear();
    this.projectCounters.clear();
    this.nextIssueId = 10000;
    this.nextCommentId = 10000;
    this.nextChangelogId = 10100;
  }

  // ---- look-ups ------------------------------------------------------------------------------

  userById(accountId: string): SandboxUser | undefined {
    return this.users.find((u) => u.accountId === accountId);
  }

  userOrUnknown(accountId: string): SandboxUser {
    return (
      this.userById(accountId) ?? {
        accountId,
        displayName: 'Former user',
        email: '',
        apiToken: '',
        accountType: 'atlassian',
        admin: false,
      }
    );
  }

  project(keyOrIdOrName: string): SandboxProject | undefined {
    const v = keyOrIdOrName.trim();
    return this.projects.find(
      (p) => p.key.toUpperCase() === v.toUpperCase() || p.id === v || p.name.toLowerCase() === v.toLowerCase(),
    );
  }

  issueType(nameOrId: string): SandboxIssueType | undefined {
    return ISSUE_TYPES.find((t) => t.id === nameOrId || t.name.toLowerCase() === nameOrId.toLowerCase());
  }

  /** By key (any case) or numeric id; undefined when missing. */
  find(idOrKey: string): IssueRecord | undefined {
    const key = /^\d+$/.test(idOrKey) ? this.idToKey.get(idOrKey) : idOrKey.toUpperCase();
    return key === undefined ? undefined : this.issues.get(key);
  }

  get(idOrKey: string): IssueRecord {
    const issue = this.find(idOrKey);
    if (!issue) throw issueNotFound();
    return issue;
  }

  all(): IssueRecord[] {
    return [...this.issues.values()];
  }

  // ---- changes -------------------------------------------------------------------------------

  createIssue(input: IssueCreate, actor: SandboxUser): IssueRecord {
    const errors: Record<string, string> = {};
    const project = this.project(input.projectKey);
    if (!project) errors.project = 'valid project is required';
    const type = this.issueType(input.issueType);
    if (!type) errors.issuetype = 'Specify a valid issue type';
    if (!input.summary || input.summary.trim() === '') errors.summary = 'You must specify a summary of the issue.';
    if (Object.keys(errors).length > 0 || !project || !type) throw badRequest([], errors);
    this.validateEdit(input, null, actor);

    const at = this.now();
    const number = (this.projectCounters.get(project.key) ?? 0) + 1;
    this.projectCounters.set(project.key, number);
    const id = String(this.nextIssueId++);
    const issue: IssueRecord = {
      id,
      key: `${project.key}-${number}`,
      projectKey: project.key,
      number,
      summary: input.summary.trim(),
      description: input.description ?? null,
      issueTypeId: type.id,
      statusId: STATUSES[0]!.id,
      labels: normalizeLabels(applyLabels([], input.labels)),
      dueDate: input.dueDate ?? null,
      originalEstimate: input.originalEstimate ?? null,
      remainingEstimate: input.remainingEstimate ?? input.originalEstimate ?? null,
      storyPoints: input.storyPoints ?? null,
      rank: rankAfterLast(this.lastRank()),
      created: at,
      updated: at,
      statusChanged: at,
      resolutionDate: null,
      creatorId: actor.accountId,
      reporterId: actor.accountId,
      comments: [],
      properties: new Map((input.properties ?? []).map((p) => [p.key, structuredClone(p.value)])),
    };
    this.issues.set(issue.key, issue);
    this.idToKey.set(issue.id, issue.key);
    this.emit({ kind: 'issue_created', issue, actor, at });
    return issue;
  }

  /**
   * Applies an edit; returns the changelog items of its fields (empty when no field changed, and then
   * the fields' change is not recorded). Like Jira, the whole edit is validated first (fields, comment
   * operations, properties): an edit that fails changes nothing.
   */
  editIssue(idOrKey: string, edit: IssueEdit, actor: SandboxUser): ChangelogItem[] {
    const issue = this.get(idOrKey);
    this.validateEdit(edit, issue, actor);
    const items: ChangelogItem[] = [];

    if (edit.summary !== undefined && edit.summary.trim() !== issue.summary) {
      items.push(jiraItem('summary', issue.summary, edit.summary.trim()));
      issue.summary = edit.summary.trim();
    }
    if (edit.description !== undefined && JSON.stringify(edit.description) !== JSON.stringify(issue.description)) {
      items.push({ ...jiraItem('description', null, null), fromString: null, toString: null });
      issue.description = edit.description;
    }
    if (edit.labels !== undefined) {
      const next = normalizeLabels(applyLabels(issue.labels, edit.labels));
      if (next.join(' ') !== issue.labels.join(' ')) {
        items.push({
          field: 'labels',
          fieldtype: 'jira',
          fieldId: 'labels',
          from: null,
          fromString: labelString(issue.labels),
          to: null,
          toString: labelString(next),
        });
        issue.labels = next;
      }
    }
    if (edit.dueDate !== undefined && edit.dueDate !== issue.dueDate) {
      items.push({
        field: 'duedate',
        fieldtype: 'jira',
        fieldId: 'duedate',
        from: issue.dueDate,
        fromString: issue.dueDate === null ? null : `${issue.dueDate} 00:00:00.0`,
        to: edit.dueDate,
        toString: edit.dueDate === null ? null : `${edit.dueDate} 00:00:00.0`,
      });
      issue.dueDate = edit.dueDate;
    }
    if (edit.originalEstimate !== undefined && edit.originalEstimate !== issue.originalEstimate) {
      const previous = issue.originalEstimate;
      items.push(secondsItem('timeoriginalestimate', previous, edit.originalEstimate));
      issue.originalEstimate = edit.originalEstimate;
      // Legacy time tracking: the remaining estimate follows the original until work is logged.
      if (edit.remainingEstimate === undefined && (issue.remainingEstimate === null || issue.remainingEstimate === previous)) {
        if (issue.remainingEstimate !== edit.originalEstimate) {
          items.push(secondsItem('timeestimate', issue.remainingEstimate, edit.originalEstimate));
          issue.remainingEstimate = edit.originalEstimate;
        }
      }
    }
    if (edit.remainingEstimate !== undefined && edit.remainingEstimate !== issue.remainingEstimate) {
      items.push(secondsItem('timeestimate', issue.remainingEstimate, edit.remainingEstimate));
      issue.remainingEstimate = edit.remainingEstimate;
    }
    if (edit.storyPoints !== undefined && edit.storyPoints !== issue.storyPoints) {
      const field = this.options.storyPointsField;
      items.push({
        field: field.name,
        fieldtype: 'custom',
        fieldId: field.id,
        from: null,
        fromString: issue.storyPoints === null ? null : String(issue.storyPoints),
        to: null,
        toString: edit.storyPoints === null ? null : String(edit.storyPoints),
      });
      issue.storyPoints = edit.storyPoints;
    }

    if (items.length > 0) this.recordUpdate(issue, actor, items, 'issue_updated');
    // Each comment operation and property looks exactly as if made through its own endpoint.
    for (const op of edit.comments ?? []) {
      if (op.op === 'add') this.addComment(issue.key, op.body, actor);
      else if (op.op === 'edit') this.editComment(issue.key, op.id, op.body, actor);
      else this.deleteComment(issue.key, op.id, actor);
    }
    for (const property of edit.properties ?? []) this.setProperty(issue.key, property.key, property.value, actor);
    return items;
  }

  /** Throws the error `editIssue` would throw for this edit, changing nothing (a transition checks its edit first). */
  checkEdit(idOrKey: string, edit: IssueEdit, actor: SandboxUser): void {
    this.validateEdit(edit, this.get(idOrKey), actor);
  }

  transition(idOrKey: string, transitionIdOrName: string, actor: SandboxUser): void {
    const issue = this.get(idOrKey);
    const transition = TRANSITIONS.find(
      (t) => t.id === transitionIdOrName || t.name.toLowerCase() === transitionIdOrName.toLowerCase(),
    );
    if (!transition) throw badRequest([`Transition id '${transitionIdOrName}' is not valid for this issue.`]);
    if (transition.toStatusId === issue.statusId) return;
    const from = findStatus(issue.statusId);
    const to = findStatus(transition.toStatusId);
    const items: ChangelogItem[] = [
      { field: 'status', fieldtype: 'jira', fieldId: 'status', from: from.id, fromString: from.name, to: to.id, toString: to.name },
    ];
    const at = this.now();
    if (to.category.key === 'done' && issue.resolutionDate === null) {
      items.push({ field: 'resolution', fieldtype: 'jira', fieldId: 'resolution', from: null, fromString: null, to: '10000', toString: 'Done' });
      issue.resolutionDate = at;
    } else if (to.category.key !== 'done' && issue.resolutionDate !== null) {
      items.push({ field: 'resolution', fieldtype: 'jira', fieldId: 'resolution', from: '10000', fromString: 'Done', to: null, toString: null });
      issue.resolutionDate = null;
    }
    issue.statusId = to.id;
    issue.statusChanged = at;
    this.recordUpdate(issue, actor, items, 'issue_generic');
  }

  deleteIssue(idOrKey: string, actor: SandboxUser): void {
    const issue = this.get(idOrKey);
    this.issues.delete(issue.key);
    this.idToKey.delete(issue.id);
    this.emit({ kind: 'issue_deleted', issue, actor, at: this.now() });
  }

  /** Moves issues (in the given order) just before or just after `target`, as the agile rank API does. */
  rank(idsOrKeys: string[], position: { before: string } | { after: string }, actor: SandboxUser): void {
    const target = this.get('before' in position ? position.before : position.after);
    const moving = idsOrKeys.map((k) => this.get(k));
    if (moving.some((m) => m.key === target.key)) throw badRequest(['Cannot rank an issue relative to itself.']);
    const movingKeys = new Set(moving.map((m) => m.key));
    const order = this.all()
      .filter((i) => !movingKeys.has(i.key))
      .sort((a, b) => compare(a.rank, b.rank));
    const at = order.findIndex((i) => i.key === target.key);
    let lower: string | null;
    let upper: string | null;
    if ('before' in position) {
      lower = at > 0 ? order[at - 1]!.rank : null;
      upper = target.rank;
    } else {
      lower = target.rank;
      upper = at + 1 < order.length ? order[at + 1]!.rank : null;
    }
    for (const issue of moving) {
      const oldRank = issue.rank;
      const newRank = rankBetween(lower, upper);
      lower = newRank;
      if (newRank === oldRank) continue;
      issue.rank = newRank;
      const higher = compare(newRank, oldRank) < 0;
      this.recordUpdate(
        issue,
        actor,
        [
          {
            field: RANK_FIELD.name,
            fieldtype: 'custom',
            fieldId: RANK_FIELD.id,
            from: '',
            fromString: '',
            to: '',
            toString: higher ? 'Ranked higher' : 'Ranked lower',
          },
        ],
        'issue_updated',
      );
    }
  }

  addComment(idOrKey: string, body: unknown, actor: SandboxUser): CommentRecord {
    const issue = this.get(idOrKey);
    const doc = validCommentBody(body);
    const at = this.now();
    const comment: CommentRecord = {
      id: String(this.nextCommentId++),
      authorId: actor.accountId,
      updateAuthorId: actor.accountId,
      body: doc,
      created: at,
      updated: at,
    };
    issue.comments.push(comment);
    this.touch(issue);
    this.emit({ kind: 'comment_created', issue, comment, actor, at });
    this.emit({
      kind: 'issue_updated',
      eventTypeName: 'issue_commented',
      issue,
      actor,
      at,
      changelog: null,
      comment,
    });
    return comment;
  }

  comment(idOrKey: string, commentId: string): CommentRecord {
    const issue = this.get(idOrKey);
    const comment = issue.comments.find((c) => c.id === commentId);
    if (!comment) throw new SandboxError(404, errorBody([`Can not find a comment for the id: ${commentId}.`]));
    return comment;
  }

  editComment(idOrKey: string, commentId: string, body: unknown, actor: SandboxUser): CommentRecord {
    const issue = this.get(idOrKey);
    const comment = this.comment(idOrKey, commentId);
    const doc = validCommentBody(body);
    // Sandbox simplification: nobody holds "Edit all comments"; authors edit their own.
    if (comment.authorId !== actor.accountId) {
      throw new SandboxError(403, errorBody(['You do not have the permission to edit this comment.']));
    }
    comment.body = doc;
    comment.updateAuthorId = actor.accountId;
    const at = this.now();
    comment.updated = Math.max(at, comment.updated + 1);
    this.touch(issue);
    this.emit({ kind: 'comment_updated', issue, comment, actor, at });
    this.emit({
      kind: 'issue_updated',
      eventTypeName: 'issue_comment_edited',
      issue,
      actor,
      at,
      changelog: null,
      comment,
    });
    return comment;
  }

  deleteComment(idOrKey: string, commentId: string, actor: SandboxUser): void {
    const issue = this.get(idOrKey);
    const comment = this.comment(idOrKey, commentId);
    if (comment.authorId !== actor.accountId) {
      throw new SandboxError(403, errorBody(['You do not have the permission to delete this comment.']));
    }
    issue.comments = issue.comments.filter((c) => c.id !== commentId);
    this.touch(issue);
    this.emit({ kind: 'comment_deleted', issue, comment, actor, at: this.now() });
  }

  /** Returns true when the property was created, false when it replaced a value. */
  setProperty(idOrKey: string, key: string, value: unknown, actor: SandboxUser): boolean {
    const issue = this.get(idOrKey);
    const json = validProperty(key, value);
    const created = !issue.properties.has(key);
    issue.properties.set(key, JSON.parse(json) as unknown);
    this.touch(issue);
    this.emit({
      kind: 'issue_property_set',
      issue,
      property: { key, value: JSON.parse(json) as unknown },
      actor,
      at: this.now(),
    });
    return created;
  }

  deleteProperty(idOrKey: string, key: string, actor: SandboxUser): void {
    const issue = this.get(idOrKey);
    if (!issue.properties.has(key)) throw propertyNotFound(key);
    const value = issue.properties.get(key);
    issue.properties.delete(key);
    this.touch(issue);
    this.emit({ kind: 'issue_property_deleted', issue, property: { key, value }, actor, at: this.now() });
  }

  // ---- internals -----------------------------------------------------------------------------

  /** Everything an edit (or create, `issue` null) checks before it changes anything. */
  private validateEdit(edit: IssueEdit, issue: IssueRecord | null, actor: SandboxUser): void {
    const errors: Record<string, string> = {};
    const labels = [...(edit.labels?.set ?? []), ...(edit.labels?.add ?? []), ...(edit.labels?.remove ?? [])];
    for (const label of labels) {
      if (typeof label !== 'string' || label.trim() === '') errors.labels = 'Labels must not be empty.';
      else if (/\s/.test(label)) errors.labels = `The label '${label}' contains spaces which is invalid.`;
      else if (label.length > 255) errors.labels = 'The label must not exceed 255 characters.';
    }
    if (edit.dueDate !== undefined && edit.dueDate !== null && !isIsoDate(edit.dueDate)) {
      errors.duedate = "Error parsing date string: " + edit.dueDate;
    }
    for (const [name, value] of [
      ['timetracking', edit.originalEstimate],
      ['timetracking', edit.remainingEstimate],
    ] as const) {
      if (value !== undefined && value !== null && (!Number.isInteger(value) || value < 0)) {
        errors[name] = 'The original estimate specified is not valid.';
      }
    }
    if (edit.storyPoints !== undefined && edit.storyPoints !== null && !Number.isFinite(edit.storyPoints)) {
      errors[this.options.storyPointsField.id] = 'Operation value must be a number';
    }
    if (Object.keys(errors).length > 0) throw badRequest([], errors);
    this.validateCommentOps(edit.comments ?? [], issue, actor);
    for (const property of edit.properties ?? []) validProperty(property.key, property.value);
  }

  /**
   * `update.comment` operations, checked in order against the issue's comments: bodies as the comment
   * endpoint checks them; an edit or remove needs a comment of this issue (a remove earlier in the
   * list takes it away) written by the actor. Jira reports these as a 400 on the `comment` field.
   */
  private validateCommentOps(ops: readonly CommentOp[], issue: IssueRecord | null, actor: SandboxUser): void {
    const comments = new Map((issue?.comments ?? []).map((c) => [c.id, c]));
    for (const op of ops) {
      if (op.op === 'add' || op.op === 'edit') validCommentBody(op.body);
      if (op.op === 'add') continue;
      const comment = comments.get(op.id);
      if (!comment) throw badRequest([], { comment: `Can not find a comment for the id: ${op.id}.` });
      // Sandbox simplification (as the comment endpoint): authors edit and delete their own comments.
      if (comment.authorId !== actor.accountId) {
        throw badRequest([], { comment: `You do not have the permission to ${op.op === 'edit' ? 'edit' : 'delete'} this comment.` });
      }
      if (op.op === 'remove') comments.delete(op.id);
    }
  }

  private lastRank(): string | null {
    let last: string | null = null;
    for (const issue of this.issues.values()) if (last === null || compare(issue.rank, last) > 0) last = issue.rank;
    return last;
  }

  private touch(issue: IssueRecord): void {
    issue.updated = Math.max(this.now(), issue.updated + 1);
  }

  private recordUpdate(
    issue: IssueRecord,
    actor: SandboxUser,
    items: ChangelogItem[],
    eventTypeName: 'issue_updated' | 'issue_generic',
  ): void {
    this.touch(issue);
    this.emit({
      kind: 'issue_updated',
      eventTypeName,
      issue,
      actor,
      at: this.now(),
      changelog: { id: String(this.nextChangelogId++), items },
      comment: null,
    });
  }

  private emit(change: SandboxChange): void {
    this.options.onChange(change);
  }
}

export function propertyNotFound(key: string): SandboxError {
  return new SandboxError(404, errorBody([`The property with key '${key}' does not exist.`]));
}

/** A property as the property endpoint takes it: a key of 1-255 characters, a non-empty JSON value of at most 32,768 characters. Returns the JSON. */
function validProperty(key: string, value: unknown): string {
  if (key.length === 0 || key.length > MAX_PROPERTY_KEY_CHARS) {
    throw badRequest([`The property key must be between 1 and ${MAX_PROPERTY_KEY_CHARS} characters long.`]);
  }
  const json = JSON.stringify(value);
  if (json === undefined) throw badRequest(['The property value must be a valid, non-empty JSON.']);
  if (json.length > MAX_PROPERTY_CHARS) {
    throw badRequest([`The property value must not be longer than ${MAX_PROPERTY_CHARS} characters.`]);
  }
  return json;
}

function validCommentBody(body: unknown): AdfNode {
  if (!isAdfDoc(body)) {
    throw badRequest([], { comment: 'Comment body is not valid!' });
  }
  if (JSON.stringify(body).length > 32767 * 4) throw new SandboxError(413, errorBody(['The comment is too long.']));
  return structuredClone(body);
}

function applyLabels(current: string[], edit: LabelEdit | undefined): string[] {
  if (!edit) return [...current];
  let labels = edit.set !== undefined ? [...edit.set] : [...current];
  for (const label of edit.add ?? []) if (!labels.includes(label)) labels.push(label);
  const remove = new Set(edit.remove ?? []);
  labels = labels.filter((l) => !remove.has(l));
  return labels;
}

/** Labels are unique; the field keeps their order, the changelog lists them sorted. */
function normalizeLabels(labels: string[]): string[] {
  return [...new Set(labels.map((l) => l.trim()))];
}

function labelString(labels: string[]): string {
  return [...labels].sort(compare).join(' ');
}

function jiraItem(field: string, from: string | null, to: string | null): ChangelogItem {
  return { field, fieldtype: 'jira', fieldId: field, from: null, fromString: from, to: null, toString: to };
}

function secondsItem(field: string, from: number | null, to: number | null): ChangelogItem {
  const f = from === null ? null : String(from);
  const t = to === null ? null : String(to);
  return { field, fieldtype: 'jira', fieldId: field, from: f, fromString: f, to: t, toString: t };
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
