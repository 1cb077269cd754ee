import type { RequestListener } from 'node:http';
import express from 'express';
import { errorHandler, healthRoute, notFoundHandler, type HealthCheck } from '@pool-guard/shared/http';
import { withWebhookFastLane } from './routes/webhook-fast-lane.js';
import { mountWebhooks } from './routes/webhooks.js';
import type { ReceiverDeps } from './receiver-deps.js';

/**
 * The receiver alone: `POST /webhooks/{tracker}/{tenant}` and `GET /healthz`. Plain webhook
 * deliveries take the fast lane past express; the rest is an express app.
 */
export function createReceiverApp(deps: ReceiverDeps, health: readonly HealthCheck[]): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', healthRoute(health));
  mountWebhooks(app, deps);
  app.use(notFoundHandler());
  app.use(errorHandler(deps.logger));
  return withWebhookFastLane(deps, app);
}
