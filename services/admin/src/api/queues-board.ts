import express, { type Router } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { requireBrowserAdmin } from './authenticate.js';
import type { AdminDeps } from '../admin-deps.js';

/** Where Bull Board is served; a public contract (README). */
export const QUEUES_BOARD_PATH = '/admin/queues';

/**
 * Bull Board over Pool Guard's queues (events, write-backs, dead letters) at /admin/queues, behind
 * an admin token (Bearer, or Basic auth with the token as password so a browser can open it).
 */
export function queuesBoardRouter(deps: AdminDeps): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUES_BOARD_PATH);
  createBullBoard({
    queues: [deps.queues.events, deps.queues.writeback, deps.queues.reconcile, deps.queues.deadLetters].map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Pool Guard queues' } },
  });
  const router = express.Router();
  router.use(QUEUES_BOARD_PATH, requireBrowserAdmin(deps.adminTokens), serverAdapter.getRouter() as Router);
  return router;
}
