import type { Request, Response } from 'express';
import type { AdminToken } from '@pool-guard/shared/config';
import type { TenantContext } from '@pool-guard/shared/tracker';
import { tokenAllowsTenant } from './authenticate.js';
import type { AdminDeps } from '../admin-deps.js';

/** Resolves the tenant of the path: 404 when unknown, 403 when the token is for other tenants. */
export function tenantOf(deps: AdminDeps, req: Request, res: Response): TenantContext | null {
  const tenant = deps.tenants.get(String(req.params.tenant));
  if (!tenant) {
    res.status(404).json({ error: `unknown tenant "${String(req.params.tenant)}"` });
    return null;
  }
  if (!tokenAllowsTenant(res.locals.adminToken as AdminToken, tenant.id)) {
    res.status(403).json({ error: `this token may not access tenant "${tenant.id}"` });
    return null;
  }
  return tenant;
}

