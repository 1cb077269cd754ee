/** A Linear tenant config pointing at a sandbox as its bot, as the config loader produces it (its defaults). */
import { linearTenantSchema, type LinearTenantConfig } from '@pool-guard/shared/config';
import { SANDBOX_SEED } from '../sandbox/index.js';

export function sandboxTenant(apiUrl: string, overrides: Partial<LinearTenantConfig> = {}): LinearTenantConfig {
  return linearTenantSchema.parse({
    id: 'acme',
    tracker: 'linear',
    apiKey: SANDBOX_SEED.botApiKey,
    apiUrl,
    webhookSecret: 'whsec',
    ...overrides,
  });
}
