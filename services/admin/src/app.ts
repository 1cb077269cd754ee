import express, { type Express, type Router } from 'express';
import { errorHandler, healthRoute, notFoundHandler, type HealthCheck } from '@pool-guard/shared/http';
import { deadLettersRouter } from './api/dead-letters-router.js';
import { poolsRouter } from './api/pools-router.js';
import { queuesBoardRouter } from './api/queues-board.js';
import { sweepsRouter } from './api/sweeps-router.js';
import type { AdminDeps } from './admin-deps.js';

/** The admin API's routes, to mount at `/api/v1`. */
export function adminApiRouter(deps: AdminDeps): Router {
  const router = express.Router();
  router.use(poolsRouter(deps));
  router.use(deadLettersRouter(deps));
  router.use(sweepsRouter(deps));
  return router;
}

export { queuesBoardRouter };

/** The admin service alone: `/api/v1/...` and `GET /healthz`. */
export function createAdminApp(deps: AdminDeps, health: readonly HealthCheck[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', healthRoute(health));
  app.use('/api/v1', adminApiRouter(deps));
  app.use(queuesBoardRouter(deps));
  app.use(notFoundHandler());
  app.use(errorHandler(deps.logger));
  return app;
}
