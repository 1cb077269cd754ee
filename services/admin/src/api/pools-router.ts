import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { isQuarterId, poolIdOf } from '@pool-guard/shared/domain';
import type { TenantContext } from '@pool-guard/shared/tracker';
import { readPoolView } from '../use-cases/pool-view.js';
import { requireAdminRole, requireAdminToken } from './authenticate.js';
import { tenantOf } from './tenant-of.js';
import type { AdminDeps } from '../admin-deps.js';

const SCOPE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const putPoolBody = z
  .object({
    limitDays: z.number({ error: 'limitDays must be a number of days (0 or more)' }).min(0, 'limitDays must be 0 or more').max(100_000, 'limitDays is too large'),
    warnAtPercent: z.number({ error: 'warnAtPercent must be a number from 1 to 100' }).min(1, 'warnAtPercent must be from 1 to 100').max(100, 'warnAtPercent must be from 1 to 100').optional(),
  })
  .strict();

function describeBodyError(error: z.ZodError, body: unknown): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid body';
  const field = issue.path.join('.');
  if (!field && issue.code !== 'unrecognized_keys') return 'body must be a JSON object like {"limitDays": 10, "warnAtPercent": 80}';
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}: allowed are limitDays and warnAtPercent`;
  const given = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
  if (issue.code === 'invalid_type' && given === undefined) return `${field} is required`;
  return issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}`;
}

function poolPath(req: Request, res: Response): { scope: string; quarter: string } | null {
  const scope = String(req.params.scope);
  const quarter = String(req.params.quarter);
  if (!SCOPE.test(scope)) {
    res.status(400).json({ error: `scope "${scope}" is not a project or team key (letters, digits, "-", "_")` });
    return null;
  }
  if (!isQuarterId(quarter)) {
    res.status(400).json({ error: `quarter "${quarter}" must look like 2026-Q4` });
    return null;
  }
  return { scope, quarter };
}

/** `/api/v1/tenants/{tenant}/pools...`: read and set quarterly custom-work pools. */
export function poolsRouter(deps: AdminDeps): Router {
  const router = express.Router();
  const auth = requireAdminToken(deps.adminTokens);
  const json = express.json({ limit: '16kb', type: () => true, strict: false });

  router.get('/tenants/:tenant/pools', auth, async (req, res) => {
    const tenant = tenantOf(deps, req, res);
    if (!tenant) return;
    const quarter = typeof req.query.quarter === 'string' ? req.query.quarter : null;
    if (quarter !== null && !isQuarterId(quarter)) {
      res.status(400).json({ error: `quarter "${quarter}" must look like 2026-Q4` });
      return;
    }
    const ids = await deps.store.listPoolIds(tenant.id);
    const pools = [];
    for (const id of ids) {
      const slash = id.lastIndexOf('/');
      const scope = id.slice(0, slash);
      const q = id.slice(slash + 1);
      if (quarter && q !== quarter) continue;
      const { requests, ...summary } = await readPoolView(deps.store, tenant, scope, q);
      pools.push({ ...summary, requestCount: requests.length });
    }
    res.json({ tenant: tenant.id, pools });
  });

  router.get('/tenants/:tenant/pools/:scope/:quarter', auth, async (req, res) => {
    const tenant = tenantOf(deps, req, res);
    if (!tenant) return;
    const path = poolPath(req, res);
    if (!path) return;
    res.json(await readPoolView(deps.store, tenant, path.scope, path.quarter));
  });

  router.put('/tenants/:tenant/pools/:scope/:quarter', auth, requireAdminRole(), (req, res, next) => {
    // Authentication and the tenant come before the body: 401, then 404/403, then 400.
    if (!tenantOf(deps, req, res)) return;
    next();
  }, json, async (req, res) => {
    const tenant = deps.tenants.get(String(req.params.tenant)) as TenantContext;
    const path = poolPath(req, res);
    if (!path) return;
    const parsed = putPoolBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: describeBodyError(parsed.error, req.body) });
      return;
    }
    const poolId = poolIdOf(path);
    await deps.store.setPoolSettings(tenant.id, poolId, {
      limitDays: parsed.data.limitDays,
      warnAtPercent: parsed.data.warnAtPercent ?? tenant.config.warnAtPercent,
    });
    await deps.queues.add('pool.recompute', { tenant: tenant.id, poolId, reason: 'settings changed' });
    deps.logger.info({ tenant: tenant.id, pool: poolId, limitDays: parsed.data.limitDays }, 'pool set');
    res.status(200).json(await readPoolView(deps.store, tenant, path.scope, path.quarter));
  });

  return router;
}
