import express, { type Router } from 'express';
import type { AdminToken } from '@pool-guard/shared/config';
import { deleteDeadLetter, getDeadLetter, listDeadLetters, replayDeadLetter, type DeadLetter } from '@pool-guard/shared/queue';
import { requireAdminRole, requireAdminToken, tokenAllowsTenant } from './authenticate.js';
import type { AdminDeps } from '../admin-deps.js';

function visible(token: AdminToken, entry: DeadLetter): boolean {
  return !token.tenants || (entry.tenant !== null && token.tenants.includes(entry.tenant));
}

/**
 * `/api/v1/dead-letters`: jobs that failed for good. List (`?tenant=`, `?limit=`), inspect, replay
 * (back on their queue with fresh attempts) and delete. Tokens restricted to tenants see theirs only.
 */
export function deadLettersRouter(deps: AdminDeps): Router {
  const router = express.Router();
  router.use('/dead-letters', requireAdminToken(deps.adminTokens));

  router.get('/dead-letters', async (req, res) => {
    const token = res.locals.adminToken as AdminToken;
    const tenant = typeof req.query.tenant === 'string' ? req.query.tenant : null;
    if (tenant !== null && !tokenAllowsTenant(token, tenant)) {
      res.status(403).json({ error: `this token may not access tenant "${tenant}"` });
      return;
    }
    const limit = Math.min(1000, Math.max(1, Number(req.query.limit ?? 100) || 100));
    const tenants = tenant !== null ? [tenant] : (token.tenants ?? null);
    const entries = await listDeadLetters(deps.queues.deadLetters, { tenants, limit });
    res.json({ deadLetters: entries.map(({ data: _data, stacktrace: _stack, ...summary }) => summary) });
  });

  router.get('/dead-letters/:id', async (req, res) => {
    const entry = await getDeadLetter(deps.queues.deadLetters, String(req.params.id));
    if (!entry || !visible(res.locals.adminToken as AdminToken, entry)) {
      res.status(404).json({ error: `no dead letter ${String(req.params.id)}` });
      return;
    }
    res.json(entry);
  });

  router.post('/dead-letters/:id/replay', requireAdminRole(), async (req, res) => {
    const entry = await getDeadLetter(deps.queues.deadLetters, String(req.params.id));
    if (!entry || !visible(res.locals.adminToken as AdminToken, entry)) {
      res.status(404).json({ error: `no dead letter ${String(req.params.id)}` });
      return;
    }
    const outcome = await replayDeadLetter(deps.queues.deadLetters, deps.queues.byName, String(req.params.id));
    switch (outcome.kind) {
      case 'replayed':
        deps.logger.info({ deadLetter: String(req.params.id), job: outcome.name, tenant: entry.tenant }, 'dead letter replayed');
        res.status(202).json({ replayed: true, name: outcome.name, queue: outcome.queue });
        return;
      case 'not_found':
        res.status(404).json({ error: `no dead letter ${String(req.params.id)}` });
        return;
      case 'not_replayable':
        res.status(409).json({ error: `dead letter ${String(req.params.id)} cannot be replayed: ${outcome.reason}` });
        return;
      default: {
        const _exhaustive: never = outcome;
        throw new Error(`unhandled replay outcome ${JSON.stringify(_exhaustive)}`);
      }
    }
  });

  router.delete('/dead-letters/:id', requireAdminRole(), async (req, res) => {
    const entry = await getDeadLetter(deps.queues.deadLetters, String(req.params.id));
    if (!entry || !visible(res.locals.adminToken as AdminToken, entry)) {
      res.status(404).json({ error: `no dead letter ${String(req.params.id)}` });
      return;
    }
    await deleteDeadLetter(deps.queues.deadLetters, String(req.params.id));
    res.status(204).end();
  });

  return router;
}
