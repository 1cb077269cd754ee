/**
 * A local Linear for tests, demos and benchmarks: an express app answering POST /graphql. Every
 * request is parsed and validated against Linear's real schema, then executed over an in-memory
 * workspace (an org, teams ENG and OPS with the six workflow state types, a bot and a sales user,
 * labels including `custom-request`). It answers with Linear's error shapes and rate-limit headers,
 * and sends signed Linear-style webhooks for every change, including the bot's own (echoes).
 *
 *   const sandbox = createLinearSandbox();
 *   const apiUrl = await sandbox.listen();            // http://127.0.0.1:<port>/graphql
 *   new LinearClient({ apiKey: 'lin_api_sandbox_bot', apiUrl });
 *   parentApp.use('/sandbox/linear', sandbox.app);    // or mount it in another app
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import {
  execute,
  getOperationAST,
  GraphQLError,
  Kind,
  parse,
  validate,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { FaultInjector, type FaultSpec } from './fault-injector.js';
import { renderHome, renderIssue, renderNotFound } from './html-pages.js';
import { authenticationErrorBody, graphqlErrorExtensions, ratelimitedErrorBody } from './linear-errors.js';
import { loadLinearSchema } from './linear-schema.js';
import { RequestLog } from './request-log.js';
import { createFieldResolver, type SandboxContext } from './sandbox-resolvers.js';
import { SANDBOX_SEED, SandboxStore, type IssueRecord, type UserRecord, type WorkflowStateType } from './sandbox-store.js';
import { WebhookDispatcher, type DeliveryRecord, type RegisteredWebhook, type WebhookRegistration } from './webhook-dispatcher.js';

export { SANDBOX_SEED } from './sandbox-store.js';
export type { FaultKind, FaultSpec } from './fault-injector.js';
export type { CountOptions, LoggedRequest } from './request-log.js';
export type { DeliveryRecord, RegisteredWebhook, WebhookRegistration } from './webhook-dispatcher.js';
export { loadLinearSchema } from './linear-schema.js';

export interface LinearSandboxOptions {
  /** Linear's schema file (default: the vendored copy in sandbox/schema/schema.graphql). */
  schemaPath?: string;
  /** The sandbox clock (epoch ms) for createdAt/updatedAt, rate-limit windows and webhookTimestamp. */
  now?: () => number;
  /** Base of human-facing URLs in payloads (default: the request's own origin and mount path). */
  webBaseUrl?: string;
  /** Delays before webhook retries (default 100 ms, 500 ms, 2 s; Linear waits 1 min, 1 h, 6 h). */
  webhookRetryDelaysMs?: number[];
  /** A webhook answer slower than this fails (default 5 s, as Linear). */
  webhookTimeoutMs?: number;
  /** Requests per user per hour before RATELIMITED (default 2,500, Linear's API-key limit). */
  requestsPerHour?: number;
  /** Complexity points per user per hour (default 3,000,000). */
  complexityPerHour?: number;
}

/** One issue as a test sees it. */
export interface SandboxIssueView {
  id: string;
  identifier: string;
  title: string;
  description: string | null;
  estimate: number | null;
  dueDate: string | null;
  sortOrder: number;
  priority: number;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
  trashed: boolean | null;
  team: { id: string; key: string };
  state: { id: string; name: string; type: WorkflowStateType };
  /** Label names. */
  labels: string[];
  labelIds: string[];
  comments: Array<{ id: string; body: string; userId: string; createdAt: string; updatedAt: string; editedAt: string | null }>;
  attachments: Array<{ id: string; url: string; title: string; subtitle: string | null; metadata: Record<string, unknown>; creatorId: string | null }>;
  customerNeeds: number;
}

export interface SandboxIssueInput {
  /** Team key or id. */
  team: string;
  title: string;
  /** Label names (workspace labels or the team's). */
  labels?: string[];
  estimate?: number | null;
  dueDate?: string | null;
  sortOrder?: number;
  /** Workflow state type (default backlog). */
  state?: WorkflowStateType;
  description?: string;
}

/** Who acts: a user id, or `bot` / `sales`. */
export type SandboxActor = 'bot' | 'sales' | (string & {});

export interface LinearSandbox {
  /** The express app; mount it anywhere (`parent.use('/sandbox/linear', sandbox.app)`). */
  readonly app: Express;
  /** Starts a server on 127.0.0.1 and a free port (by default); resolves to the GraphQL URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** The GraphQL URL once listening. */
  readonly url: string | null;
  /** Stops the server and every pending webhook delivery. */
  close(): Promise<void>;
  readonly seed: typeof SANDBOX_SEED;
  readonly store: SandboxStore;
  readonly schema: GraphQLSchema;
  /** An issue by identifier (`ENG-1`) or id, with its labels, comments and attachments; null if absent. */
  issue(identifierOrId: string): SandboxIssueView | null;
  readonly requestLog: RequestLog;
  readonly faults: FaultInjector;
  /** Subscribes a URL to resource types (`Issue`, `Comment`, `IssueLabel`, `Attachment`, `CustomerNeed`). */
  registerWebhook(registration: WebhookRegistration): RegisteredWebhook;
  unregisterWebhook(id: string): void;
  /** Every webhook delivery so far, with attempts and statuses. */
  readonly deliveries: readonly DeliveryRecord[];
  /** Resolves when all webhook deliveries, retries included, are done. */
  idle(): Promise<void>;
  /** Back to the seed: data, request log, faults, rate-limit windows, pending deliveries (webhooks stay registered). */
  reset(): void;
  /**
   * Runs a GraphQL document as a user, as over HTTP (validation, webhooks) but without the network:
   * not logged in `requestLog` and not rate limited. `createIssue`/`addCustomerNeed` use it too.
   */
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: SandboxActor): Promise<T>;
  /** Creates an issue as a user (default `sales`), through `issueCreate`; webhooks fire. */
  createIssue(input: SandboxIssueInput, as?: SandboxActor): Promise<SandboxIssueView>;
  /** Links a customer request (CustomerNeed) to an issue. */
  addCustomerNeed(identifierOrId: string, as?: SandboxActor): Promise<void>;
}

const HOUR = 3_600_000;

interface Window {
  start: number;
  requests: number;
  complexity: number;
}

export function createLinearSandbox(options: LinearSandboxOptions = {}): LinearSandbox {
  const schema = loadLinearSchema(options.schemaPath);
  const now = options.now ?? Date.now;
  const store = new SandboxStore(now);
  const requestLog = new RequestLog();
  const faults = new FaultInjector();
  const requestsPerHour = options.requestsPerHour ?? 2500;
  const complexityPerHour = options.complexityPerHour ?? 3_000_000;
  const windows = new Map<string, Window>();
  const fieldResolver = createFieldResolver(schema);
  const dispatcher = new WebhookDispatcher({
    organizationId: SANDBOX_SEED.organizationId,
    retryDelaysMs: options.webhookRetryDelaysMs ?? [100, 500, 2000],
    timeoutMs: options.webhookTimeoutMs ?? 5000,
    now,
  });
  let server: http.Server | null = null;
  let listenUrl: string | null = null;

  const fallbackWebBase = (): string =>
    options.webBaseUrl ?? (listenUrl ? listenUrl.replace(/\/graphql$/, '') : `https://linear.app/${SANDBOX_SEED.organizationUrlKey}`);

  function resolveActor(as: SandboxActor): UserRecord {
    const id = as === 'bot' ? SANDBOX_SEED.botUserId : as === 'sales' ? SANDBOX_SEED.salesUserId : as;
    const user = store.users.get(id);
    if (!user) throw new Error(`linear sandbox: no user ${as}`);
    return user;
  }

  function windowOf(userId: string): Window {
    const t = now();
    let w = windows.get(userId);
    if (!w || t - w.start >= HOUR) {
      w = { start: t, requests: 0, complexity: 0 };
      windows.set(userId, w);
    }
    return w;
  }

  function rateLimitHeaders(w: Window, complexity: number): Record<string, string> {
    return {
      'X-RateLimit-Requests-Limit': String(requestsPerHour),
      'X-RateLimit-Requests-Remaining': String(Math.max(0, requestsPerHour - w.requests)),
      'X-RateLimit-Requests-Reset': String(w.start + HOUR),
      'X-Complexity': String(complexity),
      'X-RateLimit-Complexity-Limit': String(complexityPerHour),
      'X-RateLimit-Complexity-Remaining': String(Math.max(0, complexityPerHour - w.complexity)),
      'X-RateLimit-Complexity-Reset': String(w.start + HOUR),
    };
  }

  /** Executes a validated document as `viewer`; emits the webhooks of the changes it made. */
  async function run(document: DocumentNode, variables: Record<string, unknown>, operationName: string | null, viewer: UserRecord, webBase: string) {
    const ctx: SandboxContext = { store, viewer, webBase, nowMs: now(), changes: [] };
    const result = await execute({
      schema,
      document,
      variableValues: variables,
      operationName,
      contextValue: ctx,
      fieldResolver,
    });
    for (const change of ctx.changes) dispatcher.emit(change);
    return {
      data: result.data ?? null,
      errors: result.errors?.map((e) => formatError(e)),
    };
  }

  async function handleGraphql(req: Request, res: Response): Promise<void> {
    const body: unknown = req.body;
    const webBase = options.webBaseUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
    const entry = {
      at: now(),
      userId: null as string | null,
      operationType: null as 'query' | 'mutation' | 'subscription' | null,
      operationName: null as string | null,
      rootFields: [] as string[],
      variables: {} as Record<string, unknown>,
      httpStatus: 200,
      rejected: null as 'auth' | 'ratelimited' | 'http429' | 'http500' | 'invalid' | null,
    };
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}, rejected: typeof entry.rejected = null): void => {
      entry.httpStatus = status;
      entry.rejected = rejected;
      requestLog.add(entry);
      res.status(status).set(headers);
      if (typeof payload === 'string') res.type('text/plain').send(payload);
      else res.type('application/json; charset=utf-8').send(JSON.stringify(payload));
    };

    // Authentication: a personal API key raw, or an OAuth-style `Bearer <token>`.
    const header = req.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : header.trim();
    const viewer = token ? store.findUserByToken(token) : undefined;
    if (!isRecord(body) || typeof body.query !== 'string') {
      send(400, { errors: [{ message: 'Must provide query string.', extensions: graphqlErrorExtensions('BAD_REQUEST') }] }, {}, 'invalid');
      return;
    }
    const variables = isRecord(body.variables) ? body.variables : {};
    const operationName = typeof body.operationName === 'string' ? body.operationName : null;
    entry.variables = variables;
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (err) {
      const e = err as GraphQLError;
      send(400, { errors: [{ message: e.message, locations: e.locations, extensions: graphqlErrorExtensions('GRAPHQL_PARSE_FAILED') }] }, {}, 'invalid');
      return;
    }
    const operation = getOperationAST(document, operationName);
    entry.operationType = operation?.operation ?? null;
    entry.operationName = operation?.name?.value ?? operationName;
    entry.rootFields = operation ? rootFieldsOf(operation) : [];
    if (!viewer) {
      send(400, { errors: [authenticationErrorBody()] }, {}, 'auth');
      return;
    }
    entry.userId = viewer.id;
    const w = windowOf(viewer.id);

    const fault = faults.take(entry.operationName, entry.rootFields);
    if (fault) {
      sendFault(fault, w, send);
      return;
    }
    const validationErrors = validate(schema, document);
    if (validationErrors.length > 0) {
      send(400, {
        errors: validationErrors.map((e) => ({ message: e.message, locations: e.locations, extensions: graphqlErrorExtensions('GRAPHQL_VALIDATION_FAILED') })),
      }, {}, 'invalid');
      return;
    }
    const complexity = complexityOf(document);
    if (w.requests >= requestsPerHour || w.complexity + complexity > complexityPerHour) {
      send(400, { errors: [ratelimitedErrorBody()] }, { ...rateLimitHeaders(w, complexity) }, 'ratelimited');
      return;
    }
    w.requests += 1;
    w.complexity += complexity;
    const result = await run(document, variables, operationName, viewer, webBase);
    const payload = result.errors ? { errors: result.errors, data: result.data } : { data: result.data };
    send(200, payload, rateLimitHeaders(w, complexity));
  }

  function sendFault(fault: FaultSpec, w: Window, send: (status: number, payload: unknown, headers?: Record<string, string>, rejected?: 'ratelimited' | 'http429' | 'http500') => void): void {
    const resetAt = now() + (fault.resetInMs ?? 60_000);
    const limitHeaders: Record<string, string> = {
      ...rateLimitHeaders(w, 0),
      'X-RateLimit-Requests-Remaining': '0',
      'X-RateLimit-Requests-Reset': String(resetAt),
      'X-RateLimit-Complexity-Reset': String(resetAt),
      ...(fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {}),
    };
    switch (fault.kind) {
      case 'ratelimited':
        send(400, { errors: [ratelimitedErrorBody()] }, limitHeaders, 'ratelimited');
        return;
      case 'http429':
        send(429, 'Too Many Requests', limitHeaders, 'http429');
        return;
      case 'http500':
        send(500, 'Internal Server Error', {}, 'http500');
        return;
    }
  }

  const app = express();
  app.disable('x-powered-by');
  app.post('/graphql', express.json({ limit: '2mb', type: () => true }), (req, res, next) => {
    handleGraphql(req, res).catch(next);
  });
  app.all('/graphql', (_req, res) => {
    res.status(405).type('application/json; charset=utf-8').send(
      JSON.stringify({ errors: [{ message: 'Use POST for GraphQL requests', extensions: graphqlErrorExtensions('BAD_REQUEST') }] }),
    );
  });
  app.get('/', (req, res) => {
    res.type('html').send(renderHome(store, req.baseUrl));
  });
  app.get('/issue/:identifier', (req, res) => {
    const identifier = String(req.params.identifier);
    const issue = store.findIssue(identifier);
    if (!issue) res.status(404).type('html').send(renderNotFound(identifier, req.baseUrl));
    else res.type('html').send(renderIssue(store, issue, req.baseUrl));
  });
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    if (req.path === '/graphql' && status < 500) {
      res.status(400).type('application/json; charset=utf-8').send(
        JSON.stringify({ errors: [{ message: 'Body is not valid JSON', extensions: graphqlErrorExtensions('BAD_REQUEST') }] }),
      );
      return;
    }
    res.status(500).type('text/plain').send('Internal Server Error');
  });

  function view(issue: IssueRecord): SandboxIssueView {
    const team = store.teamOf(issue);
    const state = store.stateOf(issue);
    const labels = store.labelsOf(issue);
    return {
      id: issue.id,
      identifier: store.identifierOf(issue),
      title: issue.title,
      description: issue.description,
      estimate: issue.estimate,
      dueDate: issue.dueDate,
      sortOrder: issue.sortOrder,
      priority: issue.priority,
      createdAt: issue.createdAt,
      updatedAt: issue.updatedAt,
      archivedAt: issue.archivedAt,
      trashed: issue.trashed,
      team: { id: team.id, key: team.key },
      state: { id: state.id, name: state.name, type: state.type },
      labels: labels.map((l) => l.name),
      labelIds: [...issue.labelIds],
      comments: store
        .commentsOf(issue.id)
        .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
        .map((c) => ({ id: c.id, body: c.body, userId: c.userId, createdAt: c.createdAt, updatedAt: c.updatedAt, editedAt: c.editedAt })),
      attachments: store
        .attachmentsOf(issue.id)
        .map((a) => ({ id: a.id, url: a.url, title: a.title, subtitle: a.subtitle, metadata: { ...a.metadata }, creatorId: a.creatorId })),
      customerNeeds: store.needsOf(issue.id).length,
    };
  }

  async function graphqlAs<T>(query: string, variables: Record<string, unknown> = {}, as: SandboxActor = 'sales'): Promise<T> {
    const viewer = resolveActor(as);
    const document = parse(query);
    const errors = validate(schema, document);
    if (errors.length > 0) throw new Error(`linear sandbox: invalid document: ${errors.map((e) => e.message).join('; ')}`);
    const result = await run(document, variables, null, viewer, fallbackWebBase());
    if (result.errors?.length) throw new Error(`linear sandbox: ${result.errors.map((e) => e.message).join('; ')}`);
    return result.data as T;
  }

  const sandbox: LinearSandbox = {
    app,
    seed: SANDBOX_SEED,
    store,
    schema,
    requestLog,
    faults,
    get url() {
      return listenUrl;
    },
    get deliveries() {
      return dispatcher.deliveries;
    },
    listen(port = 0, host = '127.0.0.1') {
      if (server) return Promise.reject(new Error('linear sandbox: already listening'));
      return new Promise((resolve, reject) => {
        const s = http.createServer(app);
        s.once('error', reject);
        s.listen(port, host, () => {
          const address = s.address() as AddressInfo;
          const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          server = s;
          listenUrl = `http://${hostPart}:${address.port}/graphql`;
          resolve(listenUrl);
        });
      });
    },
    async close() {
      dispatcher.close();
      const s = server;
      server = null;
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
    issue(identifierOrId) {
      const issue = store.findIssue(identifierOrId);
      return issue ? view(issue) : null;
    },
    registerWebhook(registration) {
      return dispatcher.register(registration);
    },
    unregisterWebhook(id) {
      dispatcher.unregister(id);
    },
    idle() {
      return dispatcher.idle();
    },
    reset() {
      dispatcher.cancelPending();
      dispatcher.deliveries.length = 0;
      store.seed();
      requestLog.clear();
      faults.clear();
      windows.clear();
    },
    graphql: graphqlAs,
    async createIssue(input, as = 'sales') {
      const team = store.findTeam(input.team);
      if (!team) throw new Error(`linear sandbox: no team ${input.team}`);
      const labelIds = (input.labels ?? []).map((name) => {
        const label = [...store.labels.values()].find((l) => l.name === name && (l.teamId === null || l.teamId === team.id) && !l.archivedAt);
        if (!label) throw new Error(`linear sandbox: no label "${name}" usable in team ${team.key}`);
        return label.id;
      });
      const stateId = input.state ? store.statesOfTeam(team.id).find((s) => s.type === input.state)?.id : undefined;
      const data = await graphqlAs<{ issueCreate: { issue: { id: string } } }>(
        'mutation SandboxCreateIssue($input: IssueCreateInput!) { issueCreate(input: $input) { issue { id } } }',
        {
          input: {
            teamId: team.id,
            title: input.title,
            labelIds,
            ...(input.estimate !== undefined ? { estimate: input.estimate } : {}),
            ...(input.dueDate !== undefined ? { dueDate: input.dueDate } : {}),
            ...(input.sortOrder !== undefined ? { sortOrder: input.sortOrder } : {}),
            ...(input.description !== undefined ? { description: input.description } : {}),
            ...(stateId ? { stateId } : {}),
          },
        },
        as,
      );
      return view(store.issues.get(data.issueCreate.issue.id)!);
    },
    async addCustomerNeed(identifierOrId, as = 'sales') {
      const issue = store.findIssue(identifierOrId);
      if (!issue) throw new Error(`linear sandbox: no issue ${identifierOrId}`);
      await graphqlAs(
        'mutation SandboxAddNeed($input: CustomerNeedCreateInput!) { customerNeedCreate(input: $input) { success } }',
        { input: { issueId: issue.id, body: 'Customer asked for this' } },
        as,
      );
    },
  };
  return sandbox;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rootFieldsOf(operation: OperationDefinitionNode): string[] {
  return operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
}

/** A rough Linear-style complexity: one point per selected field. */
function complexityOf(document: DocumentNode): number {
  let fields = 0;
  visit(document, {
    Field() {
      fields += 1;
    },
  });
  return fields;
}

function formatError(error: GraphQLError): Record<string, unknown> {
  const json = error.toJSON() as unknown as Record<string, unknown>;
  const original = error.originalError;
  if (original && !(original instanceof GraphQLError)) {
    // A bug in the sandbox itself: report it as Linear reports its own failures.
    json.extensions = { type: 'internal error', code: 'INTERNAL_SERVER_ERROR', userError: false };
  }
  return json;
}
