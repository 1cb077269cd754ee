/**
 * `npm start`: all of Pool Guard in one process.
 * - With POOLGUARD_CONFIG: your tenants. Without it: a demo on the sandbox trackers.
 * - With REDIS_URL: that Redis. Without it: a private redis-server (data in .pool-guard/redis).
 */
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { loadConfigFile, loadProcessSettings } from '@pool-guard/shared/config';
import { createLogger } from '@pool-guard/shared/logging';
import { exitOnStartupError, onShutdown, startRedisServerProcess, type RedisServerProcess } from '@pool-guard/shared/runtime';
import { startDemo } from './demo/start-demo.js';
import { startStack, type Stack } from './start-stack.js';

const plugins = { jira: jiraPlugin, linear: linearPlugin };

async function main(): Promise<void> {
  const settings = loadProcessSettings();
  const logger = createLogger({ name: 'pool-guard', level: settings.logLevel });
  const config = settings.configPath ? loadConfigFile(settings.configPath) : null;

  let privateRedis: RedisServerProcess | null = null;
  let redisUrl = settings.redisUrl;
  if (!redisUrl) {
    privateRedis = await startRedisServerProcess({ dir: '.pool-guard/redis' });
    redisUrl = privateRedis.url;
    logger.info({ dir: privateRedis.dir, port: privateRedis.port }, 'started a private redis-server (set REDIS_URL to use your own)');
  }

  let stop: () => Promise<void>;
  if (config) {
    const stack: Stack = await startStack({ config, redisUrl, plugins, logger, port: settings.port });
    stop = () => stack.stop();
  } else {
    const demo = await startDemo({ redisUrl, plugins, logger, port: settings.port });
    stop = () => demo.stop();
  }
  onShutdown(logger, async () => {
    await stop();
    await privateRedis?.stop();
  });
}

main().catch(exitOnStartupError);
