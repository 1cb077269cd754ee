import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfigFile, loadProcessSettings, parseConfig, reconcileSettingsOf } from '../index.js';

const ISSUE_EXAMPLE = `
adminTokens:
  - token: "\${POOLGUARD_ADMIN_TOKEN}"
    role: admin
tenants:
  - id: acme
    tracker: jira
    baseUrl: https://acme.atlassian.net
    email: pool-guard@acme.com
    apiToken: "\${JIRA_API_TOKEN}"
    webhookSecret: "\${JIRA_WEBHOOK_SECRET}"
`;

const env = {
  POOLGUARD_ADMIN_TOKEN: 'admin-token-0123456789',
  JIRA_API_TOKEN: 'jira-token',
  JIRA_WEBHOOK_SECRET: 'whsec',
};

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration file', () => {
  it('accepts the documented form, with ${VAR} from the environment and defaults filled in', () => {
    const config = parseConfig(ISSUE_EXAMPLE, env);
    const tenant = config.tenants[0];
    expect(tenant).toMatchObject({
      id: 'acme',
      tracker: 'jira',
      apiToken: 'jira-token',
      webhookSecret: 'whsec',
      customRequestLabels: ['custom-request'],
      hoursPerDay: 8,
      daysPerPoint: 1,
      fiscalYearStartMonth: 1,
      warnAtPercent: 80,
    });
    expect(config.adminTokens[0]).toMatchObject({ token: 'admin-token-0123456789', role: 'admin' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the file named by POOLGUARD_CONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pg-config-'));
    const path = join(dir, 'pool-guard.yml');
    writeFileSync(path, ISSUE_EXAMPLE);
    expect(loadConfigFile(path, env).tenants[0]?.id).toBe('acme');
    expect(message(() => loadConfigFile(join(dir, 'missing.yml'), env))).toMatch(/missing\.yml.*cannot be read.*ENOENT/);
  });

  it('names a missing environment variable', () => {
    const { JIRA_API_TOKEN: _drop, ...partial } = env;
    expect(message(() => parseConfig(ISSUE_EXAMPLE, partial))).toMatch(/JIRA_API_TOKEN, which is not set/);
  });

  it('stops on an unknown key and says where it is', () => {
    const text = ISSUE_EXAMPLE.replace('    tracker: jira', '    tracker: jira\n    hoursPerDai: 6');
    expect(message(() => parseConfig(text, env))).toMatch(/unknown key "hoursPerDai" in tenants\[0\]/);
  });

  it('stops on a missing required key and names it', () => {
    const text = ISSUE_EXAMPLE.replace('    apiToken: "${JIRA_API_TOKEN}"\n', '');
    expect(message(() => parseConfig(text, env))).toMatch(/tenants\[0\]\.apiToken: required, but missing/);
  });

  it('rejects duplicate tenant ids and bad values with the field named', () => {
    const dup = `${ISSUE_EXAMPLE}  - id: acme\n    tracker: linear\n    apiKey: k\n    webhookSecret: s\n`;
    expect(message(() => parseConfig(dup, env))).toMatch(/tenant id "acme" appears twice/);
    const bad = ISSUE_EXAMPLE.replace('    tracker: jira', '    tracker: jira\n    fiscalYearStartMonth: 13');
    expect(message(() => parseConfig(bad, env))).toMatch(/tenants\[0\]\.fiscalYearStartMonth/);
  });

  it('accepts a Linear tenant beside a Jira one', () => {
    const text = `${ISSUE_EXAMPLE}  - id: widgets\n    tracker: linear\n    apiKey: lin_api_x\n    webhookSecret: s\n    daysPerPointByScope: { ENG: 0.5 }\n`;
    const config = parseConfig(text, env);
    expect(config.tenants[1]).toMatchObject({ tracker: 'linear', apiUrl: 'https://api.linear.app/graphql', daysPerPointByScope: { ENG: 0.5 } });
  });
});

describe('reconcile settings', () => {
  it('defaults to an hourly sweep of the previous, current and next four quarters', () => {
    const config = parseConfig(ISSUE_EXAMPLE, env);
    expect(config.reconcile).toEqual({ intervalMinutes: 60, lookbackQuarters: 1, lookaheadQuarters: 4 });
    expect(reconcileSettingsOf(config, config.tenants[0]!)).toEqual({ intervalMinutes: 60, lookbackQuarters: 1, lookaheadQuarters: 4 });
  });

  it('takes a top-level block and a per-tenant override, key by key', () => {
    const text = `reconcile:\n  intervalMinutes: 15\n  lookaheadQuarters: 2\n${ISSUE_EXAMPLE.replace('    tracker: jira', '    tracker: jira\n    reconcile: { intervalMinutes: 0 }')}`;
    const config = parseConfig(text, env);
    expect(config.reconcile).toEqual({ intervalMinutes: 15, lookbackQuarters: 1, lookaheadQuarters: 2 });
    expect(reconcileSettingsOf(config, config.tenants[0]!)).toEqual({ intervalMinutes: 0, lookbackQuarters: 1, lookaheadQuarters: 2 });
  });

  it('stops on unknown keys and bad values in either block', () => {
    expect(message(() => parseConfig(`reconcile:\n  intervalMinute: 5\n${ISSUE_EXAMPLE}`, env))).toMatch(/unknown key "intervalMinute" in reconcile/);
    const tenantTypo = ISSUE_EXAMPLE.replace('    tracker: jira', '    tracker: jira\n    reconcile: { lookback: 2 }');
    expect(message(() => parseConfig(tenantTypo, env))).toMatch(/unknown key "lookback" in tenants\[0\]\.reconcile/);
    expect(message(() => parseConfig(`reconcile:\n  intervalMinutes: 0.001\n${ISSUE_EXAMPLE}`, env))).toMatch(/reconcile\.intervalMinutes: use 0/);
    expect(message(() => parseConfig(`reconcile:\n  lookbackQuarters: -1\n${ISSUE_EXAMPLE}`, env))).toMatch(/reconcile\.lookbackQuarters/);
  });
});

describe('process settings', () => {
  it('defaults PORT to 3000 and leaves REDIS_URL and POOLGUARD_CONFIG unset', () => {
    expect(loadProcessSettings({})).toEqual({ port: 3000, redisUrl: null, logLevel: 'info', configPath: null });
  });
  it('rejects a bad PORT with the value', () => {
    expect(message(() => loadProcessSettings({ PORT: 'abc' }))).toMatch(/PORT must be a port number.*"abc"/);
  });
});
