import { ConfigError, loadConfigFile, loadProcessSettings, type ConfigFile, type ProcessSettings } from '../config/index.js';

/**
 * For a service run alone (scale-out): POOLGUARD_CONFIG and REDIS_URL are required, since there
 * is no demo and no private Redis outside `npm start`.
 */
export function loadServiceConfig(service: string, env = process.env): { settings: ProcessSettings; config: Readonly<ConfigFile>; redisUrl: string } {
  const settings = loadProcessSettings(env);
  if (!settings.configPath) {
    throw new ConfigError(`${service}: set POOLGUARD_CONFIG to your config file (see README, "Configuration"). Without it, only \`npm start\` runs, as a demo.`);
  }
  if (!settings.redisUrl) {
    throw new ConfigError(`${service}: set REDIS_URL (e.g. redis://127.0.0.1:6379); services run alone share one Redis.`);
  }
  return { settings, config: loadConfigFile(settings.configPath, env), redisUrl: settings.redisUrl };
}

/** Prints a start-up mistake plainly (no stack) and exits 1. */
export function exitOnStartupError(err: unknown): never {
  const message = err instanceof ConfigError ? err.message : `Pool Guard could not start: ${(err as Error).stack ?? String(err)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
