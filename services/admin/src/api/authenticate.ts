import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { AdminToken } from '@pool-guard/shared/config';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** The token in `Authorization: Bearer <token>`, or in Basic auth's password (for browsers). */
function presentedToken(header: string | undefined, allowBasic: boolean): string | null {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (bearer?.[1]) return bearer[1];
  if (!allowBasic) return null;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!basic?.[1]) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : null;
}

/** Finds the admin token presented in the Authorization header, compared in constant time. */
export function findToken(header: string | undefined, tokens: readonly AdminToken[], allowBasic = false): AdminToken | null {
  const token = presentedToken(header, allowBasic);
  if (!token) return null;
  const presented = digest(token);
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

/** 403 unless the token has the admin role (viewers may only read). */
export function requireAdminRole(): RequestHandler {
  return (_req, res, next) => {
    const token = res.locals.adminToken as AdminToken | undefined;
    if (token?.role !== 'admin') {
      res.status(403).json({ error: 'this token may only read (role viewer); changes need an admin token' });
      return;
    }
    next();
  };
}

/**
 * For pages people open in a browser (Bull Board): a Bearer header, or Basic auth with the admin
 * token as the password, so the browser can prompt for it. Admin role, all tenants.
 */
export function requireBrowserAdmin(tokens: readonly AdminToken[]): RequestHandler {
  return (req, res, next) => {
    const token = findToken(req.headers.authorization, tokens, true);
    if (!token || token.role !== 'admin' || token.tenants) {
      res.status(401).set('WWW-Authenticate', 'Basic realm="Pool Guard queues", charset="UTF-8"').json({ error: 'an admin token for all tenants is required (any user name, the token as password)' });
      return;
    }
    next();
  };
}

export function tokenAllowsTenant(token: AdminToken, tenant: string): boolean {
  return !token.tenants || token.tenants.includes(tenant);
}
