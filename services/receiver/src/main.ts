/** The webhook receiver alone: POOLGUARD_CONFIG, REDIS_URL, PORT. Stateless; run as many as you like. */
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { closeServer, listen } from '@pool-guard/shared/http';
import { createLogger } from '@pool-guard/shared/logging';
import { createRuntime, exitOnStartupError, loadServiceConfig, onShutdown } from '@pool-guard/shared/runtime';
import { createReceiverApp } from './app.js';

async function main(): Promise<void> {
  const { settings, config, redisUrl } = loadServiceConfig('receiver');
  const logger = createLogger({ name: 'receiver', level: settings.logLevel });
  // Many webhooks in flight at once: their Redis commands share writes (no worker runs here).
  const runtime = createRuntime({ config, redisUrl, plugins: { jira: jiraPlugin, linear: linearPlugin }, logger, redisAutoPipelining: true });
  const app = createReceiverApp(runtime, [{ name: 'redis', check: () => runtime.redisHealthy() }]);
  const server = await listen(app, settings.port);
  logger.info({ port: settings.port }, 'receiver listening');
  onShutdown(logger, async () => {
    await closeServer(server);
    await runtime.close();
  });
}

main().catch(exitOnStartupError);
