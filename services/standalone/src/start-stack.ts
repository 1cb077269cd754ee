/**
 * All of Pool Guard in one process: receiver, admin API and worker on one port and one Redis.
 * Used by `npm start` (and the demo); the services can also run alone for scale-out.
 */
import type { Server } from 'node:http';
import express, { type Express } from 'express';
import { adminApiRouter, queuesBoardRouter } from '@pool-guard/admin';
import { mountWebhooks, withWebhookFastLane } from '@pool-guard/receiver';
import { createWorkers, type PoolGuardWorkers } from '@pool-guard/worker';
import type { ConfigFile } from '@pool-guard/shared/config';
import { closeServer, errorHandler, healthRoute, listen, notFoundHandler } from '@pool-guard/shared/http';
import type { Logger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import type { TrackerPlugins } from '@pool-guard/shared/tracker';

export interface StackOptions {
  config: Readonly<ConfigFile>;
  redisUrl: string;
  plugins: TrackerPlugins;
  logger: Logger;
  port: number;
  host?: string;
  /** Extra routes mounted before the 404 handler (the demo mounts its sandboxes here). */
  mount?: (app: Express) => void;
  /** Run the worker in this process (default true). */
  worker?: boolean;
}

export interface Stack {
  runtime: Runtime;
  server: Server;
  workers: PoolGuardWorkers | null;
  app: Express;
  port: number;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { logger } = options;
  const runtime = createRuntime({ config: options.config, redisUrl: options.redisUrl, plugins: options.plugins, logger });
  const deps = {
    logger,
    tenants: runtime.tenants,
    store: runtime.store,
    locks: runtime.locks,
    activity: runtime.activity,
    throttle: runtime.throttle,
    sweeps: runtime.sweeps,
    queues: runtime.queues,
    coalesceMs: options.config.worker.coalesceMs,
    lockDurationMs: options.config.worker.lockDurationMs,
    reconcile: options.config.reconcile,
    adminTokens: options.config.adminTokens,
  };
  const workers =
    options.worker === false
      ? null
      : createWorkers(deps, {
          connection: runtime.bullConnection,
          redisKeyPrefix: options.config.redisKeyPrefix,
          concurrency: options.config.worker.concurrency,
        });

  const app = express();
  app.disable('x-powered-by');
  app.get(
    '/healthz',
    healthRoute([
      { name: 'redis', check: () => runtime.redisHealthy() },
      ...(workers ? [{ name: 'workers', check: () => workers.isRunning() }] : []),
    ]),
  );
  mountWebhooks(app, deps);
  app.use('/api/v1', adminApiRouter(deps));
  app.use(queuesBoardRouter(deps));
  options.mount?.(app);
  app.use(notFoundHandler());
  app.use(errorHandler(logger));

  const server = await listen(withWebhookFastLane(deps, app), options.port, options.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  logger.info({ port, tenants: runtime.tenants.all().map((t) => `${t.id} (${t.config.tracker})`) }, 'Pool Guard is listening');

  return {
    runtime,
    server,
    workers,
    app,
    port,
    async stop() {
      // Stop taking webhooks first (in-flight requests finish), then let jobs finish, then Redis.
      await closeServer(server);
      await workers?.close(options.config.worker.shutdownTimeoutMs);
      await runtime.close();
    },
  };
}
