/** A Linear tenant config pointing at a sandbox as its bot, as the config loader would produce it. */
import type { LinearTenantConfig } from '@pool-guard/shared/config';
import { SANDBOX_SEED } from '../sandbox/index.js';

export function sandboxTenant(apiUrl: string, overrides: Partial<LinearTenantConfig> = {}): LinearTenantConfig {
  return {
    id: 'acme',
    tracker: 'linear',
    apiKey: SANDBOX_SEED.botApiKey,
    apiUrl,
    webhookSecret: 'whsec',
    additionalWebhookSecrets: [],
    includeLinkedCustomerRequests: false,
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
