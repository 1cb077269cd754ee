/**
 * Reads configuration once at start-up: the YAML file named by POOLGUARD_CONFIG (with `${VAR}`
 * taken from the environment) and the process settings (PORT, REDIS_URL, LOG_LEVEL).
 * Every mistake stops start-up with a message that says what to fix.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configFileSchema, type ConfigFile } from './tenant-config.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface ProcessSettings {
  /** Port for all HTTP (receiver, admin API, health). */
  port: number;
  /** Redis URL; null = start a private redis-server (npm start only). */
  redisUrl: string | null;
  logLevel: string;
  /** Path of the config file; null = demo mode. */
  configPath: string | null;
}

export type Env = Readonly<Record<string, string | undefined>>;

export function loadProcessSettings(env: Env = process.env): ProcessSettings {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a port number (0-65535), got "${env.PORT}"`);
  }
  const level = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "${level}"`);
  }
  return {
    port,
    redisUrl: env.REDIS_URL || null,
    logLevel: level,
    configPath: env.POOLGUARD_CONFIG || null,
  };
}

/** Replaces `${VAR}` with the environment's value; a missing variable is an error naming it. */
export function substituteEnv(text: string, env: Env, source: string): string {
  const missing = new Set<string>();
  const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const value = env[name];
    if (value === undefined) {
      missing.add(name);
      return '';
    }
    return value;
  });
  if (missing.size > 0) {
    const names = [...missing].join(', ');
    throw new ConfigError(`${source} uses environment variable${missing.size > 1 ? 's' : ''} ${names}, which ${missing.size > 1 ? 'are' : 'is'} not set. Export ${missing.size > 1 ? 'them' : 'it'} before starting Pool Guard.`);
  }
  return out;
}

function formatIssues(error: z.ZodError, source: string): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join('');
    if (issue.code === 'unrecognized_keys') {
      const where = path ? ` in ${path}` : '';
      return `  - unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${where}: remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`;
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      return `  - ${path || '(top level)'}: required, but missing`;
    }
    return `  - ${path || '(top level)'}: ${issue.message}`;
  });
  return `${source} is not valid:\n${lines.join('\n')}`;
}

/** Parses config text (YAML or JSON). `source` names it in error messages. */
export function parseConfig(text: string, env: Env, source = 'the configuration'): Readonly<ConfigFile> {
  const substituted = substituteEnv(text, env, source);
  let raw: unknown;
  try {
    raw = parseYaml(substituted);
  } catch (err) {
    throw new ConfigError(`${source} is not valid YAML: ${(err as Error).message}`);
  }
  const result = configFileSchema.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(formatIssues(result.error, source));
  const config = result.data;
  const ids = new Set<string>();
  for (const t of config.tenants) {
    if (ids.has(t.id)) throw new ConfigError(`${source}: tenant id "${t.id}" appears twice; tenant ids must be unique`);
    ids.add(t.id);
  }
  return deepFreeze(config);
}

export function loadConfigFile(path: string, env: Env = process.env): Readonly<ConfigFile> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`POOLGUARD_CONFIG names ${path}, which cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseConfig(text, env, path);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
