import express, { type Express } from 'express';
import { errorHandler, healthRoute, notFoundHandler, type HealthCheck } from '@pool-guard/shared/http';
import { mountWebhooks } from './routes/webhooks.js';
import type { ReceiverDeps } from './receiver-deps.js';

/** The receiver alone: `POST /webhooks/{tracker}/{tenant}` and `GET /healthz`. */
export function createReceiverApp(deps: ReceiverDeps, health: readonly HealthCheck[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', healthRoute(health));
  mountWebhooks(app, deps);
  app.use(notFoundHandler());
  app.use(errorHandler(deps.logger));
  return app;
}
