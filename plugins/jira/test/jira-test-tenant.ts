/** A Jira tenant config pointing at a sandbox, as the config loader produces it (its defaults). */
import { jiraTenantSchema, type JiraTenantConfig } from '@pool-guard/shared/config';

export function sandboxTenant(baseUrl: string, overrides: Partial<JiraTenantConfig> = {}): JiraTenantConfig {
  return jiraTenantSchema.parse({
    id: 'acme-jira',
    tracker: 'jira',
    baseUrl,
    email: 'pool-guard@example.com',
    apiToken: 'sandbox-bot-token',
    webhookSecret: 'test-jira-webhook-secret',
    ...overrides,
  });
}
