import { createHash } from 'node:crypto';
import { reconcileSettingsOf, type ReconcileSettings } from '@pool-guard/shared/config';
import type { Logger } from '@pool-guard/shared/logging';
import { JOBS, type PoolGuardQueues } from '@pool-guard/shared/queue';
import type { TenantRegistry } from '@pool-guard/shared/tracker';

const SCHEDULER_PREFIX = 'reconcile:';

export function sweepSchedulerId(tenant: string): string {
  return `${SCHEDULER_PREFIX}${tenant}`;
}

/**
 * A fixed offset per tenant inside the interval, so the tenants' sweeps spread over the hour
 * instead of all starting at its top (and every worker process computes the same one).
 */
export function sweepOffsetMs(tenant: string, everyMs: number): number {
  const n = createHash('sha256').update(tenant).digest().readUInt32BE(0);
  return n % everyMs;
}

/**
 * One BullMQ job scheduler per tenant on the reconcile queue, every `intervalMinutes`
 * (0 = none). Upserting is idempotent, so every worker process does it at start; schedulers of
 * tenants no longer configured (or switched off) are removed.
 */
export async function scheduleSweeps(deps: {
  queues: PoolGuardQueues;
  tenants: TenantRegistry;
  reconcile: ReconcileSettings;
  logger: Logger;
}): Promise<{ scheduled: string[]; removed: string[] }> {
  const queue = deps.queues.reconcile;
  const wanted = new Set<string>();
  const scheduled: string[] = [];
  for (const tenant of deps.tenants.all()) {
    const { intervalMinutes } = reconcileSettingsOf({ reconcile: deps.reconcile }, tenant.config);
    if (intervalMinutes === 0) continue;
    const every = Math.round(intervalMinutes * 60_000);
    const id = sweepSchedulerId(tenant.id);
    wanted.add(id);
    await queue.upsertJobScheduler(
      id,
      { every, offset: sweepOffsetMs(tenant.id, every) },
      { name: 'tenant.reconcile', data: { tenant: tenant.id, trigger: 'schedule' }, opts: JOBS['tenant.reconcile'].options },
    );
    scheduled.push(tenant.id);
  }
  const removed: string[] = [];
  for (const s of await queue.getJobSchedulers(0, -1)) {
    const id = s.key;
    if (id.startsWith(SCHEDULER_PREFIX) && !wanted.has(id)) {
      await queue.removeJobScheduler(id);
      removed.push(id.slice(SCHEDULER_PREFIX.length));
    }
  }
  deps.logger.info({ scheduled, removed }, 'reconcile sweeps scheduled');
  return { scheduled, removed };
}
