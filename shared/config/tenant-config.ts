/**
 * The configuration file's schema (zod). Unknown keys are errors, so a typo stops start-up with a
 * message naming the key instead of being silently ignored.
 */
import { z } from 'zod';

const secret = z.string().min(1, 'must not be empty');

/** Rules shared by every tracker: what counts as custom work and how it is sized and dated. */
const tenantRules = {
  /** Labels that make a ticket a custom request (any of them). */
  customRequestLabels: z.array(z.string().min(1)).min(1).default(['custom-request']),
  /** Jira issue types that make a ticket a custom request, whatever its labels. */
  customRequestIssueTypes: z.array(z.string().min(1)).default([]),
  /** Working hours in one person-day, to turn time estimates into days. */
  hoursPerDay: z.number().positive().max(24).default(8),
  /** Days per story point (Jira) or per estimate point (Linear). */
  daysPerPoint: z.number().positive().default(1),
  /** Per-scope override of daysPerPoint (teams use different estimate scales), e.g. `{ ENG: 0.5 }`. */
  daysPerPointByScope: z.record(z.string().min(1), z.number().positive()).default({}),
  /** First month of the fiscal year (1 = calendar quarters). A fiscal year is named by the year it ends in. */
  fiscalYearStartMonth: z.number().int().min(1).max(12).default(1),
  /** Default warn threshold for pools set without one. */
  warnAtPercent: z.number().min(1).max(100).default(80),
};

/** When and how far the reconcile sweep looks (see README, "Reconcile sweeps"). */
const reconcileFields = {
  /** Minutes between two sweeps of a tenant; 0 turns the scheduled sweep off (backfill still works). */
  intervalMinutes: z
    .number()
    .min(0)
    .max(7 * 24 * 60, 'at most a week (10080)')
    .refine((m) => m === 0 || m >= 0.05, 'use 0 (no scheduled sweep) or at least 0.05 (3 seconds)'),
  /** Closed quarters before the current one that a sweep still checks. */
  lookbackQuarters: z.number().int().min(0).max(8),
  /** Quarters after the current one that a sweep checks. */
  lookaheadQuarters: z.number().int().min(0).max(12),
};

export const DEFAULT_RECONCILE = Object.freeze({ intervalMinutes: 60, lookbackQuarters: 1, lookaheadQuarters: 4 });

/** The top-level `reconcile` block: every key optional, defaults as in DEFAULT_RECONCILE. */
export const reconcileSchema = z
  .object({
    intervalMinutes: reconcileFields.intervalMinutes.default(DEFAULT_RECONCILE.intervalMinutes),
    lookbackQuarters: reconcileFields.lookbackQuarters.default(DEFAULT_RECONCILE.lookbackQuarters),
    lookaheadQuarters: reconcileFields.lookaheadQuarters.default(DEFAULT_RECONCILE.lookaheadQuarters),
  })
  .strict()
  .default({ ...DEFAULT_RECONCILE });

/** A tenant's `reconcile` block: overrides the top-level one key by key. */
const tenantReconcileSchema = z
  .object({
    intervalMinutes: reconcileFields.intervalMinutes.optional(),
    lookbackQuarters: reconcileFields.lookbackQuarters.optional(),
    lookaheadQuarters: reconcileFields.lookaheadQuarters.optional(),
  })
  .strict()
  .optional();

export const jiraTenantSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, 'use letters, digits, "-" or "_" (at most 63)'),
    tracker: z.literal('jira'),
    baseUrl: z.url(),
    email: z.string().min(3),
    apiToken: secret,
    webhookSecret: secret,
    /** Extra accepted secrets while rotating. */
    additionalWebhookSecrets: z.array(secret).default([]),
    /** Story points field id (e.g. customfield_10016); found by name through /rest/api/3/field when unset. */
    storyPointsField: z.string().min(1).optional(),
    /** Rank field id; found by name through /rest/api/3/field when unset. */
    rankField: z.string().min(1).optional(),
    reconcile: tenantReconcileSchema,
    ...tenantRules,
  })
  .strict();

export const linearTenantSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/i, 'use letters, digits, "-" or "_" (at most 63)'),
    tracker: z.literal('linear'),
    apiKey: secret,
    apiUrl: z.url().default('https://api.linear.app/graphql'),
    webhookSecret: secret,
    additionalWebhookSecrets: z.array(secret).default([]),
    /** Count issues linked to a Linear customer request (CustomerNeed) as custom requests. */
    includeLinkedCustomerRequests: z.boolean().default(false),
    reconcile: tenantReconcileSchema,
    ...tenantRules,
  })
  .strict();

export const tenantSchema = z.discriminatedUnion('tracker', [jiraTenantSchema, linearTenantSchema]);

export type JiraTenantConfig = z.infer<typeof jiraTenantSchema>;
export type LinearTenantConfig = z.infer<typeof linearTenantSchema>;
export type TenantConfig = z.infer<typeof tenantSchema>;

export const adminTokenSchema = z
  .object({
    token: z.string().min(16, 'admin tokens must be at least 16 characters'),
    role: z.enum(['admin', 'viewer']).default('admin'),
    /** Restrict the token to these tenants; absent = all tenants. */
    tenants: z.array(z.string()).optional(),
  })
  .strict();

export type AdminToken = z.infer<typeof adminTokenSchema>;

export const configFileSchema = z
  .object({
    adminTokens: z.array(adminTokenSchema).min(1, 'add at least one admin token'),
    tenants: z.array(tenantSchema).min(1, 'add at least one tenant'),
    worker: z
      .object({
        /** Jobs one worker process runs at once. */
        concurrency: z.number().int().min(1).max(256).default(16),
        /** Write-backs to one ticket within this window are coalesced into one. */
        coalesceMs: z.number().int().min(0).max(60_000).default(250),
        /** On SIGTERM, how long running jobs may take to finish before they are handed back to the queue. */
        shutdownTimeoutMs: z.number().int().min(0).max(300_000).default(20_000),
        /**
         * BullMQ lock duration and stalled-job check interval: a job whose worker died (kill -9, lost
         * host) goes back to the queue within about twice this. Renewed every half of it while a job
         * runs, so a worker whose event loop or Redis link stalls longer than this loses its jobs to
         * another worker (they are idempotent). The per-ticket write lock lives twice this.
         */
        lockDurationMs: z.number().int().min(1000).max(600_000).default(30_000),
      })
      .strict()
      .default({ concurrency: 16, coalesceMs: 250, shutdownTimeoutMs: 20_000, lockDurationMs: 30_000 }),
    /** The reconcile sweep: interval and the quarters it checks (each tenant may override). */
    reconcile: reconcileSchema,
    /** Prefix of every Redis key and BullMQ queue; keep the braces (a Redis Cluster hash tag). */
    redisKeyPrefix: z.string().min(1).default('pg'),
  })
  .strict();

export type ConfigFile = z.infer<typeof configFileSchema>;

export type ReconcileSettings = z.infer<typeof reconcileSchema>;

/** A tenant's effective sweep settings: its own `reconcile` keys over the top-level ones. */
export function reconcileSettingsOf(config: Pick<ConfigFile, 'reconcile'>, tenant: TenantConfig): ReconcileSettings {
  const own = tenant.reconcile ?? {};
  return {
    intervalMinutes: own.intervalMinutes ?? config.reconcile.intervalMinutes,
    lookbackQuarters: own.lookbackQuarters ?? config.reconcile.lookbackQuarters,
    lookaheadQuarters: own.lookaheadQuarters ?? config.reconcile.lookaheadQuarters,
  };
}
