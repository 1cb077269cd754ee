/**
 * The JQL subset the sandbox understands: clauses on project, key, id, labels, status,
 * statusCategory, issuetype, reporter, creator, assignee, summary, duedate, created and updated;
 * operators = != > >= < <= ~ IN, NOT IN, IS [NOT] EMPTY; AND, OR, NOT and parentheses;
 * ORDER BY key|id|created|updated|duedate|summary|status|Rank [ASC|DESC]. Errors use Jira's words.
 */
import { badRequest } from './jira-format.js';
import { compare, type IssueRecord, type SandboxState } from './sandbox-state.js';
import { findStatus, ISSUE_TYPES } from './seed-data.js';

type Token =
  | { t: 'word'; v: string }
  | { t: 'str'; v: string }
  | { t: 'op'; v: string }
  | { t: '('; v: '(' }
  | { t: ')'; v: ')' }
  | { t: ','; v: ',' };

type Value = { kind: 'text'; text: string; quoted: boolean } | { kind: 'empty' } | { kind: 'func'; name: string; args: string[] };

type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'clause'; field: string; op: string; values: Value[]; list: boolean };

export interface JqlQuery {
  where: Expr | null;
  orderBy: { field: string; dir: 'asc' | 'desc' }[];
}

export interface JqlContext {
  state: SandboxState;
  currentUserId: string | null;
  now: number;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'order', 'by', 'asc', 'desc', 'empty', 'null']);

function syntaxError(message: string): never {
  throw badRequest([`Error in the JQL Query: ${message}`]);
}

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const c = jql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ t: c, v: c } as Token);
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let text = '';
      while (j < jql.length && jql[j] !== c) {
        if (jql[j] === '\\' && j + 1 < jql.length) j++;
        text += jql[j];
        j++;
      }
      if (j >= jql.length) syntaxError(`The quoted string ${jql.slice(i)} has not been completed. (line 1, character ${i + 1})`);
      tokens.push({ t: 'str', v: text });
      i = j + 1;
    } else if (/[=!<>~]/.test(c)) {
      const two = jql.slice(i, i + 2);
      if (['!=', '>=', '<=', '!~'].includes(two)) {
        tokens.push({ t: 'op', v: two });
        i += 2;
      } else if (c === '!') {
        syntaxError(`The character '!' is a reserved JQL character. (line 1, character ${i + 1})`);
      } else {
        tokens.push({ t: 'op', v: c });
        i++;
      }
    } else {
      const m = /^[^\s(),=!<>~"']+/.exec(jql.slice(i));
      if (!m) syntaxError(`Unexpected character '${c}'. (line 1, character ${i + 1})`);
      tokens.push({ t: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isWord(word: string, offset = 0): boolean {
    const tok = this.tokens[this.i + offset];
    return tok?.t === 'word' && tok.v.toLowerCase() === word;
  }

  parse(): JqlQuery {
    let where: Expr | null = null;
    if (this.peek() && !(this.isWord('order') && this.isWord('by', 1))) where = this.parseOr();
    const orderBy: JqlQuery['orderBy'] = [];
    if (this.isWord('order')) {
      this.i++;
      if (!this.isWord('by')) syntaxError("Expecting 'by' after 'order'.");
      this.i++;
      do {
        const tok = this.peek();
        if (!tok || (tok.t !== 'word' && tok.t !== 'str')) syntaxError("Expecting a field name in the 'order by' clause.");
        this.i++;
        let dir: 'asc' | 'desc' = 'asc';
        if (this.isWord('asc') || this.isWord('desc')) {
          dir = (this.peek()!.v.toLowerCase() as 'asc' | 'desc');
          this.i++;
        }
        orderBy.push({ field: tok.v, dir });
      } while (this.peek()?.t === ',' && ++this.i);
      if (orderBy.length > 7) throw badRequest(['The ORDER BY clause can have at most 7 fields.']);
    }
    const rest = this.peek();
    if (rest) syntaxError(`Expecting either 'OR' or 'AND' but got '${rest.v}'.`);
    return { where, orderBy };
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord('or')) {
      this.i++;
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isWord('and')) {
      this.i++;
      left = { kind: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.isWord('not')) {
      this.i++;
      return { kind: 'not', expr: this.parseNot() };
    }
    if (this.peek()?.t === '(') {
      this.i++;
      const expr = this.parseOr();
      if (this.peek()?.t !== ')') syntaxError("Expecting ')' before the end of the query.");
      this.i++;
      return expr;
    }
    return this.parseClause();
  }

  private parseClause(): Expr {
    const fieldTok = this.peek();
    if (!fieldTok || (fieldTok.t !== 'word' && fieldTok.t !== 'str') || KEYWORDS.has(fieldTok.v.toLowerCase())) {
      syntaxError(fieldTok ? `Expecting a field name but got '${fieldTok.v}'.` : 'Expecting a field name before the end of the query.');
    }
    this.i++;
    let op: string;
    const tok = this.peek();
    if (tok?.t === 'op') {
      op = tok.v;
      this.i++;
    } else if (this.isWord('in')) {
      op = 'in';
      this.i++;
    } else if (this.isWord('not') && this.isWord('in', 1)) {
      op = 'not in';
      this.i += 2;
    } else if (this.isWord('is') && this.isWord('not', 1)) {
      op = 'is not';
      this.i += 2;
    } else if (this.isWord('is')) {
      op = 'is';
      this.i++;
    } else {
      syntaxError(`Expecting operator but got '${tok?.v ?? 'the end of the query'}'.`);
    }
    if (op === 'in' || op === 'not in') {
      if (this.peek()?.t !== '(') syntaxError(`Expecting '(' after '${op.toUpperCase()}'.`);
      this.i++;
      const values: Value[] = [];
      while (this.peek()?.t !== ')') {
        values.push(this.parseValue());
        if (this.peek()?.t === ',') this.i++;
        else if (this.peek()?.t !== ')') syntaxError("Expecting ',' or ')'.");
      }
      this.i++;
      return { kind: 'clause', field: fieldTok.v, op, values, list: true };
    }
    return { kind: 'clause', field: fieldTok.v, op, values: [this.parseValue()], list: false };
  }

  private parseValue(): Value {
    const tok = this.peek();
    if (!tok) syntaxError('Expecting a value before the end of the query.');
    this.i++;
    if (tok.t === 'str') return { kind: 'text', text: tok.v, quoted: true };
    if (tok.t !== 'word') syntaxError(`Expecting a value but got '${tok.v}'.`);
    const lower = tok.v.toLowerCase();
    if (lower === 'empty' || lower === 'null') return { kind: 'empty' };
    if (this.peek()?.t === '(') {
      this.i++;
      const args: string[] = [];
      while (this.peek() && this.peek()!.t !== ')') {
        const a = this.peek()!;
        if (a.t === 'word' || a.t === 'str') args.push(a.v);
        this.i++;
      }
      this.i++;
      return { kind: 'func', name: lower, args };
    }
    return { kind: 'text', text: tok.v, quoted: false };
  }
}

export function parseJql(jql: string): JqlQuery {
  return new Parser(tokenize(jql)).parse();
}

// ---- evaluation --------------------------------------------------------------------------------

const FIELD_ALIASES: Record<string, string> = {
  project: 'project',
  key: 'key',
  issuekey: 'key',
  id: 'id',
  labels: 'labels',
  label: 'labels',
  status: 'status',
  statuscategory: 'statuscategory',
  issuetype: 'issuetype',
  type: 'issuetype',
  reporter: 'reporter',
  creator: 'creator',
  assignee: 'assignee',
  summary: 'summary',
  text: 'summary',
  duedate: 'duedate',
  due: 'duedate',
  created: 'created',
  createddate: 'created',
  updated: 'updated',
  updateddate: 'updated',
  rank: 'rank',
  'cf[10019]': 'rank',
};

function canonicalField(field: string): string {
  const canonical = FIELD_ALIASES[field.toLowerCase()];
  if (!canonical) throw badRequest([`Field '${field}' does not exist or you do not have permission to view it.`]);
  return canonical;
}

const DATE_FORMATS = [/^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?: (\d{1,2}):(\d{2}))?$/];

function parseDate(value: Value, field: string, ctx: JqlContext): number {
  if (value.kind === 'func') {
    const day = new Date(ctx.now);
    if (value.name === 'now') return ctx.now;
    if (value.name === 'startofday') return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
    if (value.name === 'endofday') return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1) - 1;
    throw badRequest([`Unable to find JQL function '${value.name}()'.`]);
  }
  if (value.kind !== 'text') throw badRequest([`The operator used with field '${field}' needs a date.`]);
  const text = value.text.trim();
  for (const format of DATE_FORMATS) {
    const m = format.exec(text);
    if (m) {
      const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0));
      if (!Number.isNaN(ms)) return ms;
    }
  }
  // Periods are calendar time (a day is 24 h), unlike time tracking's working days.
  const rel = /^([-+]?)((?:\d+\s*[wdhm]\s*)+)$/i.exec(text);
  if (rel) return ctx.now + (rel[1] === '-' ? -1 : 1) * calendarSeconds(rel[2]!) * 1000;
  throw badRequest([
    `Date value '${text}' for field '${field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
  ]);
}

function calendarSeconds(period: string): number {
  const units: Record<string, number> = { w: 7 * 86400, d: 86400, h: 3600, m: 60 };
  let total = 0;
  for (const m of period.matchAll(/(\d+)\s*([wdhm])/gi)) total += Number(m[1]) * units[m[2]!.toLowerCase()]!;
  return total;
}

function text(value: Value): string {
  return value.kind === 'text' ? value.text : '';
}

function userValue(value: Value, ctx: JqlContext): string | null {
  if (value.kind === 'func' && value.name === 'currentuser') return ctx.currentUserId;
  if (value.kind === 'text') return value.text;
  return null;
}

/** Checks references that Jira validates before searching (unknown fields, projects and keys). */
export function validateJql(query: JqlQuery, ctx: JqlContext): void {
  const visit = (expr: Expr | null): void => {
    if (!expr) return;
    if (expr.kind === 'not') {
      visit(expr.expr);
    } else if (expr.kind !== 'clause') {
      visit(expr.left);
      visit(expr.right);
    } else {
      const field = canonicalField(expr.field);
      for (const value of expr.values) {
        if (value.kind !== 'text') continue;
        if (field === 'project' && !ctx.state.project(value.text)) {
          throw badRequest([`The value '${value.text}' does not exist for the field 'project'.`]);
        }
        if (field === 'key' && !/^\d+$/.test(value.text) && !ctx.state.find(value.text)) {
          throw badRequest([`An issue with key '${value.text}' does not exist for field 'key'.`]);
        }
        if (field === 'created' || field === 'updated' || field === 'duedate') parseDate(value, expr.field, ctx);
      }
    }
  };
  visit(query.where);
  for (const o of query.orderBy) canonicalField(o.field);
}

export function matches(expr: Expr | null, issue: IssueRecord, ctx: JqlContext): boolean {
  if (!expr) return true;
  switch (expr.kind) {
    case 'and':
      return matches(expr.left, issue, ctx) && matches(expr.right, issue, ctx);
    case 'or':
      return matches(expr.left, issue, ctx) || matches(expr.right, issue, ctx);
    case 'not':
      return !matches(expr.expr, issue, ctx);
    case 'clause':
      return clauseMatches(expr, issue, ctx);
  }
}

function clauseMatches(clause: Extract<Expr, { kind: 'clause' }>, issue: IssueRecord, ctx: JqlContext): boolean {
  const field = canonicalField(clause.field);
  const { op, values } = clause;
  if (op === 'is' || op === 'is not') {
    const empty = isEmpty(field, issue);
    return op === 'is' ? empty : !empty;
  }
  if (field === 'created' || field === 'updated' || field === 'duedate') {
    const actual =
      field === 'created' ? issue.created : field === 'updated' ? issue.updated : issue.dueDate === null ? null : Date.parse(`${issue.dueDate}T00:00:00Z`);
    if (actual === null) return false;
    const bound = parseDate(values[0]!, clause.field, ctx);
    switch (op) {
      case '=':
        return actual === bound;
      case '!=':
        return actual !== bound;
      case '>':
        return actual > bound;
      case '>=':
        return actual >= bound;
      case '<':
        return actual < bound;
      case '<=':
        return actual <= bound;
      default:
        throw badRequest([`The operator '${op}' is not supported by the '${clause.field}' field.`]);
    }
  }
  if (op === '~' || op === '!~') {
    if (field !== 'summary') throw badRequest([`The operator '${op}' is not supported by the '${clause.field}' field.`]);
    const hit = issue.summary.toLowerCase().includes(text(values[0]!).toLowerCase().replace(/\*/g, ''));
    return op === '~' ? hit : !hit;
  }
  if (['>', '>=', '<', '<='].includes(op)) {
    throw badRequest([`The operator '${op}' is not supported by the '${clause.field}' field.`]);
  }
  const actual = fieldValues(field, issue);
  const wanted = values.map((v) => normalize(field, field === 'reporter' || field === 'creator' || field === 'assignee' ? userValue(v, ctx) : v.kind === 'empty' ? null : text(v), ctx));
  const any = wanted.some((w) => (w === null ? actual.length === 0 : actual.includes(w)));
  if (op === '=' || op === 'in') return any;
  // Jira's negative operators do not match issues whose field is empty.
  return !any && actual.length > 0;
}

function normalize(field: string, value: string | null, ctx: JqlContext): string | null {
  if (value === null) return null;
  switch (field) {
    case 'project':
      return ctx.state.project(value)?.key ?? value.toUpperCase();
    case 'key':
      return /^\d+$/.test(value) ? (ctx.state.find(value)?.key ?? value) : value.toUpperCase();
    case 'status':
    case 'statuscategory':
    case 'issuetype':
    case 'labels':
      return field === 'labels' ? value : value.toLowerCase();
    default:
      return value;
  }
}

function fieldValues(field: string, issue: IssueRecord): string[] {
  const status = findStatus(issue.statusId);
  switch (field) {
    case 'project':
      return [issue.projectKey];
    case 'key':
      return [issue.key];
    case 'id':
      return [issue.id];
    case 'labels':
      return issue.labels;
    case 'status':
      return [status.name.toLowerCase(), status.id];
    case 'statuscategory':
      return [status.category.name.toLowerCase(), status.category.key, String(status.category.id)];
    case 'issuetype': {
      const type = ISSUE_TYPES.find((t) => t.id === issue.issueTypeId)!;
      return [type.name.toLowerCase(), type.id];
    }
    case 'reporter':
      return [issue.reporterId];
    case 'creator':
      return [issue.creatorId];
    case 'assignee':
      return [];
    case 'summary':
      return [issue.summary];
    case 'rank':
      return [issue.rank];
    default:
      return [];
  }
}

function isEmpty(field: string, issue: IssueRecord): boolean {
  if (field === 'duedate') return issue.dueDate === null;
  return fieldValues(field, issue).length === 0;
}

export function sortIssues(issues: IssueRecord[], orderBy: JqlQuery['orderBy']): IssueRecord[] {
  const keys = orderBy.length > 0 ? orderBy : [{ field: 'key', dir: 'desc' as const }];
  const cmp = (a: IssueRecord, b: IssueRecord): number => {
    for (const { field, dir } of keys) {
      const c = compareBy(canonicalField(field), a, b);
      if (c !== 0) return dir === 'asc' ? c : -c;
    }
    return Number(a.id) - Number(b.id);
  };
  return [...issues].sort(cmp);
}

function compareBy(field: string, a: IssueRecord, b: IssueRecord): number {
  switch (field) {
    case 'key':
      return compare(a.projectKey, b.projectKey) || a.number - b.number;
    case 'id':
      return Number(a.id) - Number(b.id);
    case 'created':
      return a.created - b.created;
    case 'updated':
      return a.updated - b.updated;
    case 'duedate':
      return compare(a.dueDate ?? '9999', b.dueDate ?? '9999');
    case 'summary':
      return compare(a.summary, b.summary);
    case 'status':
      return compare(a.statusId, b.statusId);
    case 'rank':
      return compare(a.rank, b.rank);
    default:
      return 0;
  }
}

/** Runs a query: validation, filter, order. `requireBound` rejects a query without restriction. */
export function runJql(jql: string, ctx: JqlContext, requireBound: boolean): IssueRecord[] {
  const query = parseJql(jql);
  if (requireBound && query.where === null) {
    throw badRequest(['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']);
  }
  validateJql(query, ctx);
  return sortIssues(
    ctx.state.all().filter((issue) => matches(query.where, issue, ctx)),
    query.orderBy,
  );
}
