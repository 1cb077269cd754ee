import type { Request, Response } from 'express';
import type { AdminToken } from '@pool-guard/shared/config';
import type { TenantContext } from '@pool-guard/shared/tracker';
import { tokenAllowsTenant } from './authenticate.js';
import type { AdminDeps } from '../admin-deps.js';

/**
 * Resolves the tenant of the path: 403 when the token is for other tenants, then 404 when unknown.
 * The token comes first, so a token restricted to some tenants learns nothing about the others,
 * not even which tenant ids exist.
 */
export function tenantOf(deps: AdminDeps, req: Request, res: Response): TenantContext | null {
  const id = String(req.params.tenant);
  if (!tokenAllowsTenant(res.locals.adminToken as AdminToken, id)) {
    res.status(403).json({ error: `this token may not access tenant "${id}"` });
    return null;
  }
  const tenant = deps.tenants.get(id);
  if (!tenant) {
    res.status(404).json({ error: `unknown tenant "${id}"` });
    return null;
  }
  return tenant;
}
