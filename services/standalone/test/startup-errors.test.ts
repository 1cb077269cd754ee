/** Start-up mistakes stop the shipped process with a message that says what to fix (and no stack). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { testRedisUrl } from '@pool-guard/shared/testing';
import { serviceEntry, type ServiceName } from './support/processes.js';

const GOOD = [
  'adminTokens:',
  '  - token: "${POOLGUARD_ADMIN_TOKEN}"',
  '    role: admin',
  'tenants:',
  '  - id: acme',
  '    tracker: jira',
  '    baseUrl: https://acme.atlassian.net',
  '    email: pool-guard@acme.com',
  '    apiToken: "${JIRA_API_TOKEN}"',
  '    webhookSecret: "${JIRA_WEBHOOK_SECRET}"',
].join('\n');

function run(service: ServiceName, config: string | null, env: Record<string, string | undefined> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'pg-startup-'));
  const path = join(dir, 'pool-guard.yml');
  if (config !== null) writeFileSync(path, config);
  const result = spawnSync(process.execPath, [serviceEntry(service)], {
    env: Object.fromEntries(
      Object.entries({ PATH: process.env.PATH ?? '', POOLGUARD_CONFIG: path, REDIS_URL: testRedisUrl(), PORT: '0', POOLGUARD_ADMIN_TOKEN: 'x'.repeat(20), JIRA_API_TOKEN: 't', JIRA_WEBHOOK_SECRET: 's', ...env }).filter(
        (e): e is [string, string] => e[1] !== undefined,
      ),
    ),
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: result.status, stderr: result.stderr };
}

describe('start-up mistakes', () => {
  it('names an unknown key and where it is', () => {
    const { code, stderr } = run('standalone', GOOD.replace('    tracker: jira', '    tracker: jira\n    hoursPerDai: 6'));
    expect(code).toBe(1);
    expect(stderr).toMatch(/unknown key "hoursPerDai" in tenants\[0\]/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('names a missing required key', () => {
    const { code, stderr } = run('receiver', GOOD.replace('    email: pool-guard@acme.com\n', ''));
    expect(code).toBe(1);
    expect(stderr).toMatch(/tenants\[0\]\.email: required, but missing/);
  });

  it('names an environment variable the file uses but nobody set', () => {
    const { code, stderr } = run('worker', GOOD, { JIRA_API_TOKEN: undefined });
    expect(code).toBe(1);
    expect(stderr).toMatch(/uses environment variable JIRA_API_TOKEN, which is not set/);
  });

  it('says which file it could not read', () => {
    const { code, stderr } = run('admin', null);
    expect(code).toBe(1);
    expect(stderr).toMatch(/POOLGUARD_CONFIG names .*pool-guard\.yml, which cannot be read/);
  });

  it('asks for REDIS_URL when a service runs alone', () => {
    const { code, stderr } = run('receiver', GOOD, { REDIS_URL: '' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/set REDIS_URL/);
  });
});
