/** The admin API alone: POOLGUARD_CONFIG, REDIS_URL, PORT. */
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { closeServer, listen } from '@pool-guard/shared/http';
import { createLogger } from '@pool-guard/shared/logging';
import { createRuntime, exitOnStartupError, loadServiceConfig, onShutdown } from '@pool-guard/shared/runtime';
import { createAdminApp } from './app.js';

async function main(): Promise<void> {
  const { settings, config, redisUrl } = loadServiceConfig('admin');
  const logger = createLogger({ name: 'admin', level: settings.logLevel });
  const runtime = createRuntime({ config, redisUrl, plugins: { jira: jiraPlugin, linear: linearPlugin }, logger });
  const app = createAdminApp({ ...runtime, adminTokens: config.adminTokens }, [{ name: 'redis', check: () => runtime.redisHealthy() }]);
  const server = await listen(app, settings.port);
  logger.info({ port: settings.port }, 'admin API listening');
  onShutdown(logger, async () => {
    await closeServer(server);
    await runtime.close();
  });
}

main().catch(exitOnStartupError);
