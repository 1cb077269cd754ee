/**
 * Checks the sandbox against Atlassian's own OpenAPI spec of the Jira Cloud platform REST API
 * (swagger-v3.v3.json): every /rest/api/3 route it serves exists in the spec with that method, and
 * the responses of the main routes validate against the spec's response schemas.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { createJiraSandbox, type JiraSandbox } from '../sandbox/index.js';

interface OpenApiOperation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApiSpec {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: Record<string, unknown>;
}

function specPath(): string {
  const candidates = [
    fileURLToPath(new URL('../../../../shared/specs/jira/swagger-v3.v3.json', import.meta.url)),
    join(process.cwd(), '..', 'shared', 'specs', 'jira', 'swagger-v3.v3.json'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`Jira OpenAPI spec not found; looked in ${candidates.join(', ')}`);
  return found;
}

const spec = JSON.parse(readFileSync(specPath(), 'utf8')) as OpenApiSpec;

/** Rewrites `#/components/...` refs of an operation's schema to point into the registered spec. */
function pointIntoSpec(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(pointIntoSpec);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `jira-spec${v}` : pointIntoSpec(v)]),
  );
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
addFormats.default(ajv);
// Jira writes offsets without a colon (`+0000`), which RFC 3339 date-time does not allow; the spec
// says `date-time` anyway, so accept both spellings.
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/);
ajv.addSchema({ $id: 'jira-spec', components: spec.components });

const validators = new Map<string, ValidateFunction>();

function responseValidator(method: string, path: string, status: number): ValidateFunction {
  const key = `${method} ${path} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    const schema = spec.paths[path]?.[method.toLowerCase()]?.responses?.[String(status)]?.content?.['application/json']?.schema;
    if (!schema) throw new Error(`the spec has no JSON schema for ${key}`);
    validate = ajv.compile(pointIntoSpec(schema) as object);
    validators.set(key, validate);
  }
  return validate;
}

let sandbox: JiraSandbox;
let base: string;
const headers = {
  authorization: `Basic ${Buffer.from('pool-guard@example.com:sandbox-bot-token').toString('base64')}`,
  'content-type': 'application/json',
};

/** Calls the sandbox and validates the JSON answer against the spec's schema for that status. */
async function call(method: string, specPathTemplate: string, url: string, expectedStatus: number, body?: unknown): Promise<unknown> {
  const res = await fetch(`${base}${url}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  expect(res.status).toBe(expectedStatus);
  const json = (await res.json()) as unknown;
  const validate = responseValidator(method, specPathTemplate, expectedStatus);
  const ok = validate(json);
  if (!ok) throw new Error(`${method} ${url} does not match the spec: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  return json;
}

beforeAll(async () => {
  sandbox = createJiraSandbox({ webhookJitterMs: 0 });
  base = await sandbox.listen(0);
  sandbox.createIssue({ project: 'CR', summary: 'Spec issue', labels: ['custom-request'], originalEstimate: '1d', storyPoints: 3, dueDate: '2026-12-01' });
  sandbox.addComment('CR-1', 'A comment from Sam');
  sandbox.setProperty('CR-1', 'pool-guard', { state: 'ok' }, { as: 'bot' });
  sandbox.transitionIssue('CR-1', 'Done');
});

afterAll(() => sandbox.close());

describe('Jira sandbox against the Jira Cloud OpenAPI spec', () => {
  it('serves only /rest/api/3 routes that the spec has, with the same method', () => {
    const v3 = sandbox.routes.filter((r) => r.api === 'v3');
    expect(v3.length).toBeGreaterThanOrEqual(20);
    const missing = v3.filter((r) => !spec.paths[r.path]?.[r.method.toLowerCase()]).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
    for (const r of v3) expect(r.path.startsWith('/rest/api/3/')).toBe(true);
  });

  it('lists the routes outside the platform v3 API separately', () => {
    const others = sandbox.routes
      .filter((r) => r.api !== 'v3')
      .map((r) => `${r.api} ${r.method} ${r.path}`)
      .sort();
    expect(others).toEqual([
      'agile PUT /rest/agile/1.0/issue/rank',
      'webhooks DELETE /rest/webhooks/1.0/webhook/{id}',
      'webhooks GET /rest/webhooks/1.0/webhook',
      'webhooks GET /rest/webhooks/1.0/webhook/{id}',
      'webhooks POST /rest/webhooks/1.0/webhook',
    ]);
    for (const r of sandbox.routes.filter((x) => x.api !== 'v3')) expect(spec.paths[r.path]).toBeUndefined();
  });

  it('answers /myself and /field as the spec says', async () => {
    await call('GET', '/rest/api/3/myself', '/rest/api/3/myself', 200);
    await call('GET', '/rest/api/3/field', '/rest/api/3/field', 200);
  });

  it('answers issue create, get and transitions as the spec says', async () => {
    await call('POST', '/rest/api/3/issue', '/rest/api/3/issue', 201, {
      fields: { project: { key: 'OPS' }, summary: 'Created for the spec', issuetype: { name: 'Task' } },
    });
    await call('POST', '/rest/api/3/issue', '/rest/api/3/issue', 400, { fields: { project: { key: 'NOPE' }, issuetype: { name: 'Task' } } });
    await call('GET', '/rest/api/3/issue/{issueIdOrKey}', '/rest/api/3/issue/CR-1', 200);
    await call('GET', '/rest/api/3/issue/{issueIdOrKey}', '/rest/api/3/issue/CR-1?fields=summary,labels&properties=pool-guard', 200);
    await call('GET', '/rest/api/3/issue/{issueIdOrKey}/transitions', '/rest/api/3/issue/CR-1/transitions', 200);
  });

  it('answers comment routes as the spec says', async () => {
    const doc = { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Hello', marks: [{ type: 'strong' }] }] }] };
    const created = (await call('POST', '/rest/api/3/issue/{issueIdOrKey}/comment', '/rest/api/3/issue/CR-1/comment', 201, { body: doc })) as { id: string };
    await call('PUT', '/rest/api/3/issue/{issueIdOrKey}/comment/{id}', `/rest/api/3/issue/CR-1/comment/${created.id}`, 200, { body: doc });
    await call('GET', '/rest/api/3/issue/{issueIdOrKey}/comment/{id}', `/rest/api/3/issue/CR-1/comment/${created.id}`, 200);
    await call('GET', '/rest/api/3/issue/{issueIdOrKey}/comment', '/rest/api/3/issue/CR-1/comment?startAt=0&maxResults=1', 200);
  });

  it('answers property routes as the spec says', async () => {
    await call('GET', '/rest/api/3/issue/{issueIdOrKey}/properties', '/rest/api/3/issue/CR-1/properties', 200);
    await call('GET', '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}', '/rest/api/3/issue/CR-1/properties/pool-guard', 200);
  });

  it('answers /search/jql (GET and POST) as the spec says', async () => {
    await call('GET', '/rest/api/3/search/jql', '/rest/api/3/search/jql?jql=project%20%3D%20CR&fields=*all&maxResults=1', 200);
    await call('POST', '/rest/api/3/search/jql', '/rest/api/3/search/jql', 200, {
      jql: 'project in (CR, OPS) ORDER BY key ASC',
      fields: ['summary', 'labels', 'customfield_10019'],
      maxResults: 1,
    });
    await call('POST', '/rest/api/3/search/jql', '/rest/api/3/search/jql', 200, { jql: 'project = CR' });
  });

  it("takes Pool Guard's one-call write-back, whose body is the spec's IssueUpdateDetails", async () => {
    const doc = { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Pool' }] }] };
    const created = (await call('POST', '/rest/api/3/issue/{issueIdOrKey}/comment', '/rest/api/3/issue/CR-1/comment', 201, { body: doc })) as { id: string };
    const body = {
      update: { comment: [{ edit: { id: created.id, body: doc } }], labels: [{ add: 'pool-ok' }, { remove: 'pool-over-limit' }] },
      properties: [{ key: 'pool-guard', value: { state: 'ok' } }],
    };
    const validate = ajv.compile(pointIntoSpec({ $ref: '#/components/schemas/IssueUpdateDetails' }) as object);
    expect(validate(body)).toBe(true);
    expect(validate({ update: { comment: [{ change: {} }] } })).toBe(false);
    const res = await fetch(`${base}/rest/api/3/issue/CR-1`, { method: 'PUT', headers, body: JSON.stringify(body) });
    expect(res.status).toBe(204);
    expect(sandbox.issue('CR-1')!.properties['pool-guard']).toEqual({ state: 'ok' });
  });

  it('has a spec that would reject a wrong shape (the check can fail)', () => {
    const validate = responseValidator('GET', '/rest/api/3/myself', 200);
    expect(validate({ accountId: 'x', notAUserField: true })).toBe(false);
    const search = responseValidator('POST', '/rest/api/3/search/jql', 200);
    expect(search({ issues: [{ id: '1', bogus: 1 }] })).toBe(false);
  });
});
