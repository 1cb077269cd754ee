/**
 * Evaluates Linear filter inputs (`IssueFilter`, `IssueLabelFilter`, `TeamFilter`, ...) against the
 * sandbox's records: comparators (`eq`, `in`, `gte`, `containsIgnoreCase`, `null`, ...), relation
 * filters (`team: { key: { eq: "ENG" } }`), collection filters (`labels: { some: {...} }`, `every`,
 * `length`), and `and`/`or`. A filter key the sandbox does not model is an error, not a silent match.
 */
import { invalidInput } from './linear-errors.js';
import type { SandboxStore, UserRecord } from './sandbox-store.js';

export type EntityKind = 'Issue' | 'IssueLabel' | 'Team' | 'WorkflowState' | 'Comment' | 'User' | 'Attachment' | 'CustomerNeed';

type Field =
  | { kind: 'scalar'; value: unknown }
  | { kind: 'one'; entity: EntityKind; value: object | null }
  | { kind: 'many'; entity: EntityKind; values: object[] };

export interface FilterContext {
  store: SandboxStore;
  viewer: UserRecord;
  nowMs: number;
}

type Accessor = (entity: any, ctx: FilterContext) => Field; // eslint-disable-line @typescript-eslint/no-explicit-any

const scalar = (key: string): Accessor => (e) => ({ kind: 'scalar', value: e[key] ?? null });

const ACCESSORS: Record<EntityKind, Record<string, Accessor>> = {
  Issue: {
    id: scalar('id'),
    title: scalar('title'),
    description: scalar('description'),
    number: scalar('number'),
    estimate: scalar('estimate'),
    priority: scalar('priority'),
    dueDate: scalar('dueDate'),
    createdAt: scalar('createdAt'),
    updatedAt: scalar('updatedAt'),
    archivedAt: scalar('archivedAt'),
    team: (e, c) => ({ kind: 'one', entity: 'Team', value: c.store.teams.get(e.teamId) ?? null }),
    state: (e, c) => ({ kind: 'one', entity: 'WorkflowState', value: c.store.states.get(e.stateId) ?? null }),
    creator: (e, c) => ({ kind: 'one', entity: 'User', value: e.creatorId ? c.store.users.get(e.creatorId) ?? null : null }),
    labels: (e, c) => ({ kind: 'many', entity: 'IssueLabel', values: c.store.labelsOf(e) }),
    comments: (e, c) => ({ kind: 'many', entity: 'Comment', values: c.store.commentsOf(e.id).filter((x) => !x.archivedAt) }),
    attachments: (e, c) => ({ kind: 'many', entity: 'Attachment', values: c.store.attachmentsOf(e.id).filter((x) => !x.archivedAt) }),
    needs: (e, c) => ({ kind: 'many', entity: 'CustomerNeed', values: c.store.needsOf(e.id) }),
  },
  IssueLabel: {
    id: scalar('id'),
    name: scalar('name'),
    createdAt: scalar('createdAt'),
    updatedAt: scalar('updatedAt'),
    isGroup: () => ({ kind: 'scalar', value: false }),
    team: (e, c) => ({ kind: 'one', entity: 'Team', value: e.teamId ? c.store.teams.get(e.teamId) ?? null : null }),
    creator: (e, c) => ({ kind: 'one', entity: 'User', value: e.creatorId ? c.store.users.get(e.creatorId) ?? null : null }),
  },
  Team: {
    id: scalar('id'),
    key: scalar('key'),
    name: scalar('name'),
    createdAt: scalar('createdAt'),
    updatedAt: scalar('updatedAt'),
  },
  WorkflowState: {
    id: scalar('id'),
    name: scalar('name'),
    type: scalar('type'),
    position: scalar('position'),
    createdAt: scalar('createdAt'),
    updatedAt: scalar('updatedAt'),
    team: (e, c) => ({ kind: 'one', entity: 'Team', value: c.store.teams.get(e.teamId) ?? null }),
  },
  Comment: {
    id: scalar('id'),
    body: scalar('body'),
    createdAt: scalar('createdAt'),
    updatedAt: scalar('updatedAt'),
    user: (e, c) => ({ kind: 'one', entity: 'User', value: c.store.users.get(e.userId) ?? null }),
    issue: (e, c) => ({ kind: 'one', entity: 'Issue', value: c.store.issues.get(e.issueId) ?? null }),
  },
  User: {
    id: scalar('id'),
    name: scalar('name'),
    displayName: scalar('displayName'),
    email: scalar('email'),
    active: scalar('active'),
    admin: scalar('admin'),
    app: () => ({ kind: 'scalar', value: false }),
    isMe: (e, c) => ({ kind: 'scalar', value: e.id === c.viewer.id }),
    createdAt: scalar('createdAt'),
    updatedAt: scalar('updatedAt'),
  },
  Attachment: {
    id: scalar('id'),
    url: scalar('url'),
    title: scalar('title'),
    subtitle: scalar('subtitle'),
    createdAt: scalar('createdAt'),
    updatedAt: scalar('updatedAt'),
    creator: (e, c) => ({ kind: 'one', entity: 'User', value: e.creatorId ? c.store.users.get(e.creatorId) ?? null : null }),
  },
  CustomerNeed: {
    id: scalar('id'),
    priority: scalar('priority'),
    createdAt: scalar('createdAt'),
    updatedAt: scalar('updatedAt'),
    issue: (e, c) => ({ kind: 'one', entity: 'Issue', value: c.store.issues.get(e.issueId) ?? null }),
  },
};

type FilterInput = Record<string, unknown>;

function isObject(value: unknown): value is FilterInput {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `entity` of `kind` satisfies `filter` (null/undefined filter: everything matches). */
export function matchesFilter(kind: EntityKind, entity: object, filter: unknown, ctx: FilterContext): boolean {
  if (filter === null || filter === undefined) return true;
  if (!isObject(filter)) throw invalidInput(`Invalid ${kind} filter`);
  for (const [key, condition] of Object.entries(filter)) {
    if (condition === null || condition === undefined) continue;
    if (key === 'and') {
      if (!asList(condition).every((f) => matchesFilter(kind, entity, f, ctx))) return false;
      continue;
    }
    if (key === 'or') {
      if (!asList(condition).some((f) => matchesFilter(kind, entity, f, ctx))) return false;
      continue;
    }
    if (key === 'null') {
      // `null: true` on a nullable relation filter is handled by the caller; on an entity it never matches.
      if (condition === true) return false;
      continue;
    }
    const accessor = ACCESSORS[kind][key];
    if (!accessor) throw invalidInput(`The Linear sandbox cannot filter ${kind} by "${key}"`);
    const field = accessor(entity, ctx);
    if (!matchesField(field, condition, ctx)) return false;
  }
  return true;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function matchesField(field: Field, condition: unknown, ctx: FilterContext): boolean {
  if (!isObject(condition)) throw invalidInput('Invalid filter condition');
  switch (field.kind) {
    case 'scalar':
      return compare(field.value, condition, ctx);
    case 'one': {
      if (condition.null === true) return field.value === null;
      if (condition.null === false && field.value === null) return false;
      if (field.value === null) return false;
      const { null: _null, ...rest } = condition;
      return matchesFilter(field.entity, field.value, rest, ctx);
    }
    case 'many':
      return matchesCollection(field.entity, field.values, condition, ctx);
  }
}

function matchesCollection(kind: EntityKind, values: object[], condition: FilterInput, ctx: FilterContext): boolean {
  for (const [key, sub] of Object.entries(condition)) {
    if (sub === null || sub === undefined) continue;
    switch (key) {
      case 'some':
        if (!values.some((v) => matchesFilter(kind, v, sub, ctx))) return false;
        break;
      case 'every':
        if (!values.every((v) => matchesFilter(kind, v, sub, ctx))) return false;
        break;
      case 'length':
        if (!isObject(sub) || !compare(values.length, sub, ctx)) return false;
        break;
      case 'null':
        if ((values.length === 0) !== (sub === true)) return false;
        break;
      case 'and':
        if (!asList(sub).every((f) => isObject(f) && matchesCollection(kind, values, f, ctx))) return false;
        break;
      case 'or':
        if (!asList(sub).some((f) => isObject(f) && matchesCollection(kind, values, f, ctx))) return false;
        break;
      default:
        // A field condition directly on a collection means "some member matches it".
        if (!values.some((v) => matchesFilter(kind, v, { [key]: sub }, ctx))) return false;
    }
  }
  return true;
}

const DURATION = /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** A `DateTimeOrDuration` as epoch ms: an ISO instant, or an ISO duration relative to now (`-P2W`). */
function dateValue(value: unknown, ctx: FilterContext): number | null {
  if (typeof value !== 'string') return null;
  const duration = DURATION.exec(value);
  if (duration && value !== 'P') {
    const [, minus, y, mo, w, d, h, mi, s] = duration;
    const n = (x: string | undefined): number => (x ? Number(x) : 0);
    const ms =
      n(y) * 365 * 86_400_000 + n(mo) * 30 * 86_400_000 + n(w) * 7 * 86_400_000 + n(d) * 86_400_000 +
      n(h) * 3_600_000 + n(mi) * 60_000 + n(s) * 1000;
    return ctx.nowMs + (minus ? -ms : ms);
  }
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}

function looksLikeDate(value: unknown): boolean {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value);
}

/** Compares one scalar with a Linear comparator object. */
function compare(actual: unknown, comparator: FilterInput, ctx: FilterContext): boolean {
  const asDate = looksLikeDate(actual);
  const norm = (v: unknown): unknown => (asDate ? dateValue(v, ctx) : v);
  const a = norm(actual);
  const lower = (v: unknown): string => String(v ?? '').toLowerCase();
  for (const [op, expected] of Object.entries(comparator)) {
    if (expected === undefined || (expected === null && op !== 'null')) continue;
    const e = Array.isArray(expected) ? expected.map(norm) : norm(expected);
    let ok: boolean;
    switch (op) {
      case 'eq':
        ok = a === e;
        break;
      case 'neq':
        ok = a !== e;
        break;
      case 'in':
        ok = Array.isArray(e) && e.includes(a);
        break;
      case 'nin':
        ok = Array.isArray(e) && !e.includes(a);
        break;
      case 'gt':
        ok = a !== null && (a as number) > (e as number);
        break;
      case 'gte':
        ok = a !== null && (a as number) >= (e as number);
        break;
      case 'lt':
        ok = a !== null && (a as number) < (e as number);
        break;
      case 'lte':
        ok = a !== null && (a as number) <= (e as number);
        break;
      case 'null':
        ok = (actual === null) === (expected === true);
        break;
      case 'eqIgnoreCase':
        ok = lower(actual) === lower(expected);
        break;
      case 'neqIgnoreCase':
        ok = lower(actual) !== lower(expected);
        break;
      case 'contains':
        ok = String(actual ?? '').includes(String(expected));
        break;
      case 'notContains':
        ok = !String(actual ?? '').includes(String(expected));
        break;
      case 'containsIgnoreCase':
      case 'containsIgnoreCaseAndAccent':
        ok = lower(actual).includes(lower(expected));
        break;
      case 'notContainsIgnoreCase':
        ok = !lower(actual).includes(lower(expected));
        break;
      case 'startsWith':
        ok = String(actual ?? '').startsWith(String(expected));
        break;
      case 'startsWithIgnoreCase':
        ok = lower(actual).startsWith(lower(expected));
        break;
      case 'notStartsWith':
        ok = !String(actual ?? '').startsWith(String(expected));
        break;
      case 'endsWith':
        ok = String(actual ?? '').endsWith(String(expected));
        break;
      case 'notEndsWith':
        ok = !String(actual ?? '').endsWith(String(expected));
        break;
      default:
        throw invalidInput(`The Linear sandbox does not support the comparator "${op}"`);
    }
    if (!ok) return false;
  }
  return true;
}
