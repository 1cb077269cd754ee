/** The shared Jira webhook fixtures: exact bytes and their recorded delivery headers. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function fixturesDir(): string {
  const candidates = [
    fileURLToPath(new URL('../../../../shared/specs/jira/webhooks/', import.meta.url)),
    join(process.cwd(), '..', 'shared', 'specs', 'jira', 'webhooks'),
  ];
  const found = candidates.find((p) => existsSync(join(p, 'jira-headers.json')));
  if (!found) throw new Error(`Jira webhook fixtures not found; looked in ${candidates.join(', ')}`);
  return found;
}

const dir = fixturesDir();

export const FIXTURE_SECRET = 'test-jira-webhook-secret';

export const FIXTURE_NAMES = [
  'jira-issue-created.json',
  'jira-issue-updated-estimate-changed.json',
  'jira-issue-updated-labels.json',
  'jira-issue-deleted.json',
] as const;

export type FixtureName = (typeof FIXTURE_NAMES)[number];

const headerFile = JSON.parse(readFileSync(join(dir, 'jira-headers.json'), 'utf8')) as {
  _secret: string;
  headers: Record<string, Record<string, string>>;
};

export interface Fixture {
  name: FixtureName;
  body: Buffer;
  headers: Record<string, string>;
  json: unknown;
}

export function fixture(name: FixtureName): Fixture {
  const body = readFileSync(join(dir, name));
  const headers = headerFile.headers[name];
  if (!headers) throw new Error(`no headers recorded for ${name}`);
  return { name, body, headers: { ...headers }, json: JSON.parse(body.toString('utf8')) as unknown };
}

export function recordedSecret(): string {
  return headerFile._secret;
}
