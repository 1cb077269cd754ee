import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { AdminToken } from '@pool-guard/shared/config';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Finds the admin token presented as `Authorization: Bearer <token>`, compared in constant time. */
export function findToken(header: string | undefined, tokens: readonly AdminToken[]): AdminToken | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const presented = digest(match[1]);
  let found: AdminToken | null = null;
  for (const t of tokens) {
    if (timingSafeEqual(presented, digest(t.token)) && !found) found = t;
  }
  return found;
}

/** 401 without a valid admin token; the token found is in `res.locals.adminToken`. */
export function requireAdminToken(tokens: readonly AdminToken[]): RequestHandler {
  return (req, res, next) => {
    const token = findToken(req.headers.authorization, tokens);
    if (!token) {
      res.status(401).set('WWW-Authenticate', 'Bearer realm="pool-guard"').json({ error: 'missing or invalid admin token (Authorization: Bearer <token>)' });
      return;
    }
    res.locals.adminToken = token;
    next();
  };
}

export function tokenAllowsTenant(token: AdminToken, tenant: string): boolean {
  return !token.tenants || token.tenants.includes(tenant);
}
