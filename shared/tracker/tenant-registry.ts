/**
 * The configured tenants, each with its tracker plugin, its live client and its domain rules.
 * Built once per process by the composition root.
 */
import type { PoolRules } from '../domain/index.js';
import type { TenantConfig } from '../config/tenant-config.js';
import type { Logger } from '../logging/index.js';
import type { TrackerClient, TrackerId, TrackerPlugin } from './tracker-adapter.js';

export interface TenantContext {
  readonly id: string;
  readonly config: TenantConfig;
  readonly plugin: TrackerPlugin;
  readonly client: TrackerClient;
  readonly rules: PoolRules;
  /** Secrets accepted on webhooks (the current one first, then those being rotated out). */
  readonly webhookSecrets: readonly string[];
}

export interface TenantRegistry {
  get(id: string): TenantContext | undefined;
  all(): TenantContext[];
}

export type TrackerPlugins = Readonly<Record<TrackerId, TrackerPlugin>>;

export function poolRulesOf(config: TenantConfig): PoolRules {
  return {
    labels: config.customRequestLabels,
    issueTypes: config.customRequestIssueTypes,
    includeLinkedCustomerRequests: config.tracker === 'linear' ? config.includeLinkedCustomerRequests : false,
    hoursPerDay: config.hoursPerDay,
    daysPerPoint: config.daysPerPoint,
    daysPerPointByScope: config.daysPerPointByScope,
    fiscalYearStartMonth: config.fiscalYearStartMonth,
  };
}

export function createTenantRegistry(
  tenants: readonly TenantConfig[],
  plugins: TrackerPlugins,
  logger: Logger,
): TenantRegistry {
  const byId = new Map<string, TenantContext>();
  for (const config of tenants) {
    const plugin = plugins[config.tracker];
    const client = plugin.connect(config, { logger: logger.child({ tenant: config.id, tracker: config.tracker }) });
    byId.set(config.id, {
      id: config.id,
      config,
      plugin,
      client,
      rules: poolRulesOf(config),
      webhookSecrets: [config.webhookSecret, ...config.additionalWebhookSecrets],
    });
  }
  return {
    get: (id) => byId.get(id),
    all: () => [...byId.values()],
  };
}
