/** A Jira tenant config pointing at a sandbox, as the config loader would produce it. */
import type { JiraTenantConfig } from '@pool-guard/shared/config';

export function sandboxTenant(baseUrl: string, overrides: Partial<JiraTenantConfig> = {}): JiraTenantConfig {
  return {
    id: 'acme-jira',
    tracker: 'jira',
    baseUrl,
    email: 'pool-guard@example.com',
    apiToken: 'sandbox-bot-token',
    webhookSecret: 'test-jira-webhook-secret',
    additionalWebhookSecrets: [],
    customRequestLabels: ['custom-request'],
    customRequestIssueTypes: [],
    hoursPerDay: 8,
    daysPerPoint: 1,
    daysPerPointByScope: {},
    fiscalYearStartMonth: 1,
    warnAtPercent: 80,
    ...overrides,
  };
}
