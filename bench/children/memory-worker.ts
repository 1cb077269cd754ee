/**
 * `services/worker/src/main.ts` with the memory tracker in place of Jira: the same runtime and the
 * same workers, so its memory is Pool Guard's worker's (for the ledger figure), not a tracker's.
 */
import express from 'express';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { closeServer, healthRoute, listen } from '@pool-guard/shared/http';
import { createLogger } from '@pool-guard/shared/logging';
import { createRuntime, exitOnStartupError, loadServiceConfig, onShutdown } from '@pool-guard/shared/runtime';
import { createWorkers } from '@pool-guard/worker';
import { memoryTrackerPlugin } from '../support/memory-tracker.js';

async function main(): Promise<void> {
  const { settings, config, redisUrl } = loadServiceConfig('worker');
  const logger = createLogger({ name: 'memory-worker', level: settings.logLevel });
  const runtime = createRuntime({ config, redisUrl, plugins: { jira: memoryTrackerPlugin, linear: linearPlugin }, logger, redisAutoPipelining: 'commands' });
  const workers = createWorkers(
    { ...runtime, coalesceMs: config.worker.coalesceMs, reconcile: config.reconcile },
    { connection: runtime.bullConnection, redisKeyPrefix: config.redisKeyPrefix, concurrency: config.worker.concurrency },
  );
  const app = express();
  app.get('/healthz', healthRoute([{ name: 'workers', check: () => workers.isRunning() }]));
  const server = await listen(app, settings.port, '127.0.0.1');
  onShutdown(logger, async () => {
    await closeServer(server);
    await workers.close(5_000);
    await runtime.close();
  });
}

main().catch(exitOnStartupError);
