/** The Linear webhook fixtures in ../shared/specs/linear/webhooks, read as raw bytes. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '../sandbox/linear-schema.js';

export const FIXTURE_SECRET = 'lin_wh_test_signing_secret';
export const FIXTURE_NAMES = ['linear-issue-create.json', 'linear-issue-update.json', 'linear-issue-remove.json', 'linear-comment-create.json'] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

const dir = path.resolve(findRepoRoot(), '../shared/specs/linear/webhooks');
const headerFile = JSON.parse(readFileSync(path.join(dir, 'linear-headers.json'), 'utf8')) as {
  headers: Record<string, Record<string, string>>;
};

export interface Fixture {
  body: Buffer;
  headers: Record<string, string>;
  json: Record<string, unknown>;
  /** The body's webhookTimestamp: the instant at which the delivery is fresh. */
  timestamp: number;
}

export function fixture(name: FixtureName): Fixture {
  const body = readFileSync(path.join(dir, name));
  const headers = headerFile.headers[name];
  if (!headers) throw new Error(`no headers for ${name} in linear-headers.json`);
  const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  return { body, headers: { ...headers }, json, timestamp: json.webhookTimestamp as number };
}
