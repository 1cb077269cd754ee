/**
 * Every background job Pool Guard runs, in one place: queue, name, data schema, retries.
 *
 * Renaming a queue or a job strands the jobs already queued under the old name: add a new one and
 * drain the old one instead.
 */
import { z } from 'zod';
import type { JobsOptions } from 'bullmq';

export const QUEUE_NAMES = {
  /** Tracker events to apply to the ledger, and pool recomputations. */
  events: '{pool-guard-events}',
  /** Write-backs to tickets (comment, label, badge), coalesced per ticket. */
  writeback: '{pool-guard-writeback}',
  /** Reconcile sweeps (long jobs, one per tenant at a time), kept apart so they never hold up events. */
  reconcile: '{pool-guard-reconcile}',
} as const;

export type QueueKey = keyof typeof QUEUE_NAMES;

/** One tracker event as queued (TrackerEvent). */
export const trackerEventSchema = z.object({
  kind: z.enum(['ticket.changed', 'ticket.deleted']),
  ticketKey: z.string().min(1),
  ticketId: z.string().min(1),
  actorId: z.string().nullable(),
  updatedAt: z.number().nullable(),
});

export const JOBS = {
  'tracker.event.apply': {
    queue: 'events',
    schema: z.object({
      tenant: z.string().min(1),
      deliveryId: z.string().min(1),
      receivedAt: z.number(),
      event: trackerEventSchema,
    }),
    options: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600, count: 5000 },
      removeOnFail: { age: 14 * 24 * 3600 },
    },
  },
  'pool.recompute': {
    queue: 'events',
    schema: z.object({
      tenant: z.string().min(1),
      poolId: z.string().min(3),
      reason: z.string(),
    }),
    options: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 14 * 24 * 3600 },
    },
  },
  /**
   * Queue a write-back for every ticket of one pool: what a recompute asks for instead of one job
   * per ticket when many tickets' views changed at once (the pool's figures moved), coalesced per
   * pool. Each write-back still writes only what differs.
   */
  'pool.writeback': {
    queue: 'events',
    schema: z.object({
      tenant: z.string().min(1),
      poolId: z.string().min(3),
    }),
    options: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 14 * 24 * 3600 },
    },
  },
  'tracker.writeback': {
    queue: 'writeback',
    schema: z.object({
      tenant: z.string().min(1),
      ticketId: z.string().min(1),
    }),
    options: {
      attempts: 12,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 3600, count: 5000 },
      removeOnFail: { age: 14 * 24 * 3600 },
    },
  },
  'tenant.reconcile': {
    queue: 'reconcile',
    schema: z.object({
      tenant: z.string().min(1),
      /** `schedule` (the job scheduler), `backfill` or `admin`: recorded in the sweep report. */
      trigger: z.enum(['schedule', 'backfill', 'admin']).default('schedule'),
      /** Quarters to sweep; absent = the tenant's configured window around today. */
      quarters: z.object({ from: z.string().regex(/^\d{4}-Q[1-4]$/), to: z.string().regex(/^\d{4}-Q[1-4]$/) }).optional(),
    }),
    options: {
      // A failed sweep is not retried: the next scheduled one starts over (sweeps are idempotent).
      attempts: 1,
      removeOnComplete: { age: 7 * 24 * 3600, count: 200 },
      removeOnFail: { age: 14 * 24 * 3600, count: 200 },
    },
  },
} as const satisfies Record<string, { queue: QueueKey; schema: z.ZodType; options: JobsOptions }>;

export type JobName = keyof typeof JOBS;
export type JobData<N extends JobName> = z.infer<(typeof JOBS)[N]['schema']>;
