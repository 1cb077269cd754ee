/**
 * A small, faithful, in-memory Jira Cloud: the REST v3 subset Pool Guard uses (plus agile rank and
 * admin webhooks), Basic auth with API tokens, Jira's error bodies and rate-limit headers, signed
 * webhook deliveries with retries, and HTML pages for people. It fakes the vendor, not our storage:
 * drive it with jira.js or Pool Guard's adapter, and read its state through the helpers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { adfToText, textToAdf, type AdfNode } from './adf.js';
import { Faults, sendFault } from './faults.js';
import { renderIndex, renderIssue, renderNotFound } from './html-pages.js';
import { errorBody, formatJiraDate, parseDuration, SandboxError } from './jira-format.js';
import { countWrites, type CountWritesFilter, type RequestLogEntry } from './request-log.js';
import { expressPath, type RouteContext, type SandboxRoute, type SandboxRouteInfo } from './route-table.js';
import { AGILE_ROUTES } from './routes-agile.js';
import { V3_ROUTES } from './routes-v3.js';
import { WEBHOOK_ROUTES } from './routes-webhooks.js';
import { SandboxState, type IssueRecord, type LabelEdit } from './sandbox-state.js';
import {
  DEFAULT_PROJECTS,
  DEFAULT_STORY_POINTS_FIELD,
  findStatus,
  ISSUE_TYPES,
  SANDBOX_BOT,
  SANDBOX_SALES,
  type SandboxProject,
  type SandboxUser,
} from './seed-data.js';
import { WebhookDelivery, type DeliveryRecord, type RegisterWebhookInput, type WebhookRegistration } from './webhook-delivery.js';

export interface JiraSandboxOptions {
  /** Public URL of the sandbox root when `app` is mounted elsewhere (e.g. `http://localhost:3000/sandbox/jira`). */
  baseUrl?: string;
  /** Projects to seed (default CR "Customer Requests" and OPS "Operations"). */
  projects?: { key: string; name: string }[];
  /** The story points field of this site (default `customfield_10016` "Story point estimate"). */
  storyPointsField?: { id: string; name: string };
  /** Clock (epoch ms) for `created`/`updated`, webhook timestamps and JQL dates. */
  now?: () => number;
  /** Delay before webhook retry n is n × this many ms (default 300). */
  webhookRetryDelayMs?: number;
  /** Webhook delivery attempts in all (default 5). */
  webhookMaxAttempts?: number;
  /** Per-attempt webhook timeout (default 10 000 ms). */
  webhookTimeoutMs?: number;
  /** Random 0..n ms wait before each delivery, so deliveries may arrive out of order (default 10). */
  webhookJitterMs?: number;
}

/** Who performs a helper action: a seeded user by role, or any seeded accountId. Default: the sales rep. */
export interface ActAs {
  as?: 'bot' | 'sales' | (string & {});
}

export interface SandboxCommentView {
  id: string;
  authorId: string;
  authorName: string;
  updateAuthorId: string;
  /** Plain text of the ADF body (blocks separated by newlines). */
  text: string;
  body: AdfNode;
  created: string;
  updated: string;
}

export interface SandboxIssueView {
  id: string;
  key: string;
  project: string;
  summary: string;
  issueType: string;
  status: string;
  statusCategory: 'new' | 'indeterminate' | 'done';
  labels: string[];
  dueDate: string | null;
  originalEstimateSeconds: number | null;
  remainingEstimateSeconds: number | null;
  storyPoints: number | null;
  rank: string;
  /** Jira format, e.g. `2026-11-20T10:00:00.000+0000`. */
  created: string;
  updated: string;
  updatedMs: number;
  reporterId: string;
  comments: SandboxCommentView[];
  properties: Record<string, unknown>;
}

export interface CreateIssueInput {
  project: string;
  summary: string;
  issueType?: string;
  labels?: string[];
  /** `"2d"`/`"4h"` or seconds. */
  originalEstimate?: string | number | null;
  storyPoints?: number | null;
  dueDate?: string | null;
  description?: string;
  status?: 'To Do' | 'In Progress' | 'Done';
}

export interface EditIssueInput {
  summary?: string;
  /** A list replaces the labels; an object adds/removes. */
  labels?: string[] | LabelEdit;
  originalEstimate?: string | number | null;
  storyPoints?: number | null;
  dueDate?: string | null;
}

export interface JiraSandbox {
  /** The express app; mount it under a prefix or call listen(). */
  readonly app: Express;
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** Absolute URL of the sandbox root (options.baseUrl, else the listening address, else the first request's). */
  readonly baseUrl: string;
  readonly users: { readonly bot: SandboxUser; readonly sales: SandboxUser; readonly all: readonly SandboxUser[] };
  readonly projects: readonly SandboxProject[];
  /** Every REST route served, in OpenAPI path spelling. */
  readonly routes: readonly SandboxRouteInfo[];
  issue(idOrKey: string): SandboxIssueView | undefined;
  issues(project?: string): SandboxIssueView[];
  readonly requestLog: readonly RequestLogEntry[];
  countWrites(filter?: CountWritesFilter): number;
  readonly faults: Faults;
  registerWebhook(input: RegisterWebhookInput): WebhookRegistration;
  unregisterWebhook(id: number): void;
  readonly deliveries: readonly DeliveryRecord[];
  /** Resolves when every webhook delivery (retries included) has finished. */
  idle(): Promise<void>;
  /** Back to the seeded state: no issues, webhooks, faults, log or deliveries. */
  reset(options?: { keepWebhooks?: boolean }): void;

  // Changes made "in the Jira UI" by a person (default Sam Sales); they fire webhooks like REST changes.
  createIssue(input: CreateIssueInput, who?: ActAs): SandboxIssueView;
  editIssue(idOrKey: string, edit: EditIssueInput, who?: ActAs): void;
  transitionIssue(idOrKey: string, status: 'To Do' | 'In Progress' | 'Done', who?: ActAs): void;
  addComment(idOrKey: string, body: string | AdfNode, who?: ActAs): string;
  editComment(idOrKey: string, commentId: string, body: string | AdfNode, who?: ActAs): void;
  deleteIssue(idOrKey: string, who?: ActAs): void;
  rankIssue(idOrKey: string, position: { before: string } | { after: string }, who?: ActAs): void;
  setProperty(idOrKey: string, key: string, value: unknown, who?: ActAs): void;
  deleteProperty(idOrKey: string, key: string, who?: ActAs): void;
}

const ROUTES: readonly SandboxRoute[] = [...V3_ROUTES, ...AGILE_ROUTES, ...WEBHOOK_ROUTES];

const UNAUTHENTICATED = 'You are not authenticated. Authentication required to perform this operation.';

function origin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

function toSeconds(value: string | number | null | undefined): number | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value === 'number') return value;
  const seconds = parseDuration(value);
  if (seconds === null) throw new Error(`not a duration: ${value}`);
  return seconds;
}

export function createJiraSandbox(options: JiraSandboxOptions = {}): JiraSandbox {
  const now = options.now ?? Date.now;
  const users: SandboxUser[] = [{ ...SANDBOX_BOT }, { ...SANDBOX_SALES }];
  const projects: SandboxProject[] = options.projects
    ? options.projects.map((p, i) => ({ id: String(10000 + i), key: p.key.toUpperCase(), name: p.name }))
    : DEFAULT_PROJECTS.map((p) => ({ ...p }));
  let listenedUrl: string | null = null;
  let learnedUrl: string | null = null;
  let server: Server | null = null;
  const requestLog: RequestLogEntry[] = [];
  const faults = new Faults();

  const baseUrl = (): string => {
    const url = options.baseUrl ?? listenedUrl ?? learnedUrl;
    if (url === null) throw new Error('The Jira sandbox has no base URL yet: call listen() or pass options.baseUrl.');
    return url.replace(/\/+$/, '');
  };

  const state = new SandboxState({
    now,
    users,
    projects,
    storyPointsField: options.storyPointsField ?? { ...DEFAULT_STORY_POINTS_FIELD },
    onChange: (change) => webhooks.dispatch(change),
  });
  const webhooks = new WebhookDelivery(state, baseUrl, {
    retryDelayMs: options.webhookRetryDelayMs ?? 300,
    maxAttempts: options.webhookMaxAttempts ?? 5,
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    jitterMs: options.webhookJitterMs ?? 10,
  });

  const resolveActor = (who: ActAs | undefined): SandboxUser => {
    const as = who?.as ?? 'sales';
    const user = as === 'bot' ? users[0] : as === 'sales' ? users[1] : state.userById(as);
    if (!user) throw new Error(`unknown sandbox user ${as}`);
    return user;
  };

  const authenticate = (header: string | undefined): SandboxUser | null => {
    if (!header || !/^Basic /i.test(header)) return null;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const email = decoded.slice(0, colon).toLowerCase();
    const token = decoded.slice(colon + 1);
    return users.find((u) => u.email.toLowerCase() === email && u.apiToken === token) ?? null;
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req: Request, res: Response, next: NextFunction) => {
    learnedUrl ??= `${origin(req)}${req.baseUrl}`;
    res.on('finish', () => {
      requestLog.push({
        method: req.method,
        path: req.path,
        status: res.statusCode,
        accountId: (res.locals.accountId as string | undefined) ?? null,
        at: now(),
      });
    });
    next();
  });

  const jsonBody = express.json({ strict: false, limit: '2mb', type: ['application/json', 'application/*+json'] });

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/rest/')) return next();
    const user = authenticate(req.get('authorization'));
    if (user) {
      res.locals.accountId = user.accountId;
      res.setHeader('X-AACCOUNTID', user.accountId);
    }
    const fault = faults.take(req.method, req.path);
    if (fault) return sendFault(res, fault, req.method, now());
    if (!user) return res.status(401).json(errorBody([UNAUTHENTICATED]));
    const length = Number(req.get('content-length') ?? 0);
    if ((req.method === 'POST' || req.method === 'PUT') && length > 0 && !req.is(['application/json', 'application/*+json'])) {
      return res.status(415).json(errorBody(['Unsupported Media Type: the request body must be application/json.']));
    }
    return jsonBody(req, res, next);
  });

  for (const route of ROUTES) {
    const register = { GET: app.get, POST: app.post, PUT: app.put, DELETE: app.delete }[route.method].bind(app);
    register(expressPath(route.path), (req: Request, res: Response) => {
      const actor = state.userById(res.locals.accountId as string)!;
      const ctx: RouteContext = {
        req,
        res,
        state,
        actor,
        webhooks,
        render: { base: `${origin(req)}${req.baseUrl}`, api: 3, state },
        param: (name) => {
          const value = req.params[name];
          return typeof value === 'string' ? value : '';
        },
      };
      route.handle(ctx);
    });
  }

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/rest/')) return next();
    res.status(404).json(errorBody([`null for uri: ${origin(req)}${req.originalUrl}`]));
  });

  app.get('/', (req: Request, res: Response) => {
    res.type('html').send(renderIndex(state, req.baseUrl));
  });
  app.get('/browse/:key', (req: Request, res: Response) => {
    const key = String(req.params.key);
    const issue = state.find(key);
    if (!issue) return res.status(404).type('html').send(renderNotFound(key, req.baseUrl));
    return res.type('html').send(renderIssue(state, issue, req.baseUrl));
  });

  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof SandboxError) return res.status(err.status).json(err.body);
    const status = (err as { status?: unknown }).status;
    if ((err as { type?: unknown }).type === 'entity.parse.failed') {
      return res.status(400).json(errorBody([`Unexpected character in the request body: ${(err as Error).message}`]));
    }
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return res.status(status).json(errorBody([(err as Error).message]));
    }
    return res.status(500).json(errorBody(['Internal server error']));
  });

  const view = (issue: IssueRecord): SandboxIssueView => {
    const status = findStatus(issue.statusId);
    return {
      id: issue.id,
      key: issue.key,
      project: issue.projectKey,
      summary: issue.summary,
      issueType: ISSUE_TYPES.find((t) => t.id === issue.issueTypeId)?.name ?? '',
      status: status.name,
      statusCategory: status.category.key,
      labels: [...issue.labels],
      dueDate: issue.dueDate,
      originalEstimateSeconds: issue.originalEstimate,
      remainingEstimateSeconds: issue.remainingEstimate,
      storyPoints: issue.storyPoints,
      rank: issue.rank,
      created: formatJiraDate(issue.created),
      updated: formatJiraDate(issue.updated),
      updatedMs: issue.updated,
      reporterId: issue.reporterId,
      comments: issue.comments.map((c) => ({
        id: c.id,
        authorId: c.authorId,
        authorName: state.userOrUnknown(c.authorId).displayName,
        updateAuthorId: c.updateAuthorId,
        text: adfToText(c.body),
        body: structuredClone(c.body),
        created: formatJiraDate(c.created),
        updated: formatJiraDate(c.updated),
      })),
      properties: Object.fromEntries([...issue.properties].map(([k, v]) => [k, structuredClone(v)])),
    };
  };

  const adf = (body: string | AdfNode): AdfNode => (typeof body === 'string' ? textToAdf(body) : body);

  const sandbox: JiraSandbox = {
    app,
    async listen(port = 0, host = '127.0.0.1') {
      if (server) throw new Error('The Jira sandbox is already listening.');
      const s = createServer(app);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          s.off('error', reject);
          resolve();
        });
      });
      server = s;
      const address = s.address() as AddressInfo;
      listenedUrl = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
      return listenedUrl;
    },
    async close() {
      webhooks.close();
      const s = server;
      server = null;
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
    get baseUrl() {
      return baseUrl();
    },
    users: { bot: users[0]!, sales: users[1]!, all: users },
    projects,
    routes: ROUTES.map(({ method, path, api }) => ({ method, path, api })),
    issue(idOrKey) {
      const issue = state.find(idOrKey);
      return issue ? view(issue) : undefined;
    },
    issues(project) {
      return state
        .all()
        .filter((i) => project === undefined || i.projectKey === project.toUpperCase())
        .map(view);
    },
    get requestLog() {
      return requestLog;
    },
    countWrites(filter) {
      return countWrites(requestLog, filter);
    },
    faults,
    registerWebhook(input) {
      return webhooks.register(input, users[0]!.accountId);
    },
    unregisterWebhook(id) {
      webhooks.unregister(id);
    },
    get deliveries() {
      return webhooks.deliveries;
    },
    idle() {
      return webhooks.idle();
    },
    reset(resetOptions = {}) {
      webhooks.reset(resetOptions.keepWebhooks ?? false);
      state.reset();
      faults.clear();
      requestLog.length = 0;
    },

    createIssue(input, who) {
      const actor = resolveActor(who);
      const originalEstimate = toSeconds(input.originalEstimate);
      const issue = state.createIssue(
        {
          projectKey: input.project,
          summary: input.summary,
          issueType: input.issueType ?? 'Story',
          ...(input.labels ? { labels: { set: input.labels } } : {}),
          ...(originalEstimate !== undefined ? { originalEstimate } : {}),
          ...(input.storyPoints !== undefined ? { storyPoints: input.storyPoints } : {}),
          ...(input.dueDate !== undefined ? { dueDate: input.dueDate } : {}),
          ...(input.description !== undefined ? { description: textToAdf(input.description) } : {}),
        },
        actor,
      );
      if (input.status && input.status !== 'To Do') state.transition(issue.key, input.status, actor);
      return view(issue);
    },
    editIssue(idOrKey, edit, who) {
      const originalEstimate = toSeconds(edit.originalEstimate);
      state.editIssue(
        idOrKey,
        {
          ...(edit.summary !== undefined ? { summary: edit.summary } : {}),
          ...(edit.labels !== undefined ? { labels: Array.isArray(edit.labels) ? { set: edit.labels } : edit.labels } : {}),
          ...(originalEstimate !== undefined ? { originalEstimate } : {}),
          ...(edit.storyPoints !== undefined ? { storyPoints: edit.storyPoints } : {}),
          ...(edit.dueDate !== undefined ? { dueDate: edit.dueDate } : {}),
        },
        resolveActor(who),
      );
    },
    transitionIssue(idOrKey, status, who) {
      state.transition(idOrKey, status, resolveActor(who));
    },
    addComment(idOrKey, body, who) {
      return state.addComment(idOrKey, adf(body), resolveActor(who)).id;
    },
    editComment(idOrKey, commentId, body, who) {
      state.editComment(idOrKey, commentId, adf(body), resolveActor(who));
    },
    deleteIssue(idOrKey, who) {
      state.deleteIssue(idOrKey, resolveActor(who));
    },
    rankIssue(idOrKey, position, who) {
      state.rank([idOrKey], position, resolveActor(who));
    },
    setProperty(idOrKey, key, value, who) {
      state.setProperty(idOrKey, key, value, resolveActor(who));
    },
    deleteProperty(idOrKey, key, who) {
      state.deleteProperty(idOrKey, key, resolveActor(who));
    },
  };
  return sandbox;
}
