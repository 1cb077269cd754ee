/**
 * The worker alone: POOLGUARD_CONFIG, REDIS_URL, PORT (for /healthz). Run one per core or machine;
 * workers share the queues and the ledger through Redis.
 */
import express from 'express';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { closeServer, healthRoute, listen } from '@pool-guard/shared/http';
import { createLogger } from '@pool-guard/shared/logging';
import { createRuntime, exitOnStartupError, loadServiceConfig, onShutdown } from '@pool-guard/shared/runtime';
import { createWorkers } from './create-workers.js';

async function main(): Promise<void> {
  const { settings, config, redisUrl } = loadServiceConfig('worker');
  const logger = createLogger({ name: 'worker', level: settings.logLevel });
  // Jobs run concurrently: their ledger, lock and throttle commands share writes to Redis.
  const runtime = createRuntime({ config, redisUrl, plugins: { jira: jiraPlugin, linear: linearPlugin }, logger, redisAutoPipelining: 'commands' });
  const workers = createWorkers(
    { ...runtime, coalesceMs: config.worker.coalesceMs, lockDurationMs: config.worker.lockDurationMs, reconcile: config.reconcile },
    { connection: runtime.bullConnection, redisKeyPrefix: config.redisKeyPrefix, concurrency: config.worker.concurrency },
  );
  const app = express();
  app.get('/healthz', healthRoute([
    { name: 'redis', check: () => runtime.redisHealthy() },
    { name: 'workers', check: () => workers.isRunning() },
  ]));
  const server = await listen(app, settings.port);
  logger.info({ port: settings.port, concurrency: config.worker.concurrency }, 'worker running');
  onShutdown(logger, async () => {
    await closeServer(server);
    await workers.close(config.worker.shutdownTimeoutMs);
    await runtime.close();
  });
}

main().catch(exitOnStartupError);
