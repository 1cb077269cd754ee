import express, { type Router } from 'express';
import type { SweepReport } from '@pool-guard/shared/store';
import { requireAdminRole, requireAdminToken } from './authenticate.js';
import { tenantOf } from './tenant-of.js';
import type { AdminDeps } from '../admin-deps.js';

/** A tenant's sweeps as the admin API shows them (a public contract: keep fields, add only). */
export interface SweepsView {
  tenant: string;
  /** The last finished sweep (completed, interrupted or failed), or null before the first. */
  last: SweepReport | null;
  /** The sweep running now, with its counts so far, or null. */
  running: SweepReport | null;
  /** The tenant's job scheduler: interval and next run, or null when scheduled sweeps are off. */
  schedule: { everyMs: number; nextRunAt: string | null } | null;
}

/**
 * `/api/v1/tenants/{tenant}/sweeps...`: the reconcile sweeps of a tenant. `GET .../sweeps/last`
 * reports the last one (and the one running); `POST .../sweeps` (admin role) queues one now.
 */
export function sweepsRouter(deps: AdminDeps): Router {
  const router = express.Router();
  const auth = requireAdminToken(deps.adminTokens);

  router.get('/tenants/:tenant/sweeps/last', auth, async (req, res) => {
    const tenant = tenantOf(deps, req, res);
    if (!tenant) return;
    const [{ last, running }, scheduler] = await Promise.all([
      deps.sweeps.read(tenant.id),
      deps.queues.reconcile.getJobScheduler(`reconcile:${tenant.id}`),
    ]);
    const view: SweepsView = {
      tenant: tenant.id,
      last,
      running,
      schedule: scheduler?.every
        ? { everyMs: Number(scheduler.every), nextRunAt: scheduler.next ? new Date(Number(scheduler.next)).toISOString() : null }
        : null,
    };
    res.json(view);
  });

  router.post('/tenants/:tenant/sweeps', auth, requireAdminRole(), async (req, res) => {
    const tenant = tenantOf(deps, req, res);
    if (!tenant) return;
    await deps.queues.add('tenant.reconcile', { tenant: tenant.id, trigger: 'admin' });
    deps.logger.info({ tenant: tenant.id }, 'reconcile sweep queued by an admin');
    res.status(202).json({ queued: true, tenant: tenant.id });
  });

  return router;
}
