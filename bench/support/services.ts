/**
 * Pool Guard's own processes for the bench: a config file for the run, the receiver alone and any
 * number of workers, each in a process of its own (`services/<name>/src/main.ts`, the same entry
 * as `node services/<name>/dist/src/main.js`), on the bench's private redis-server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/redis-server.js';
import { startTs, waitForHealthy, type Child } from './processes.js';

export const ADMIN_TOKEN = 'bench-admin-token-0123456789';
export const JIRA_SECRET = 'bench-jira-webhook-secret';
export const LINEAR_SECRET = 'lin_wh_bench_signing_secret';
export const JIRA_TENANT = 'acme';
export const LINEAR_TENANT = 'widgets';

export interface BenchConfigInput {
  redisKeyPrefix: string;
  /** The Jira site (the sandbox); a closed port when the run needs no tracker. */
  jira: { baseUrl: string; email: string; apiToken: string };
  linear: { apiUrl: string; apiKey: string };
  concurrency?: number;
  coalesceMs?: number;
}

export interface BenchConfig {
  path: string;
  input: BenchConfigInput;
  /** The config as a plain object (for an in-process runtime). */
  raw: Record<string, unknown>;
}

let configDir: string | null = null;

export function writeBenchConfig(input: BenchConfigInput): BenchConfig {
  configDir ??= mkdtempSync(join(tmpdir(), 'pool-guard-bench-'));
  const raw = {
    adminTokens: [{ token: ADMIN_TOKEN, role: 'admin' }],
    tenants: [
      { id: JIRA_TENANT, tracker: 'jira', baseUrl: input.jira.baseUrl, email: input.jira.email, apiToken: input.jira.apiToken, webhookSecret: JIRA_SECRET },
      { id: LINEAR_TENANT, tracker: 'linear', apiKey: input.linear.apiKey, apiUrl: input.linear.apiUrl, webhookSecret: LINEAR_SECRET },
    ],
    worker: {
      ...(input.concurrency !== undefined ? { concurrency: input.concurrency } : {}),
      ...(input.coalesceMs !== undefined ? { coalesceMs: input.coalesceMs } : {}),
    },
    redisKeyPrefix: input.redisKeyPrefix,
  };
  const path = join(configDir, `${input.redisKeyPrefix}.json`);
  writeFileSync(path, JSON.stringify(raw, null, 2));
  return { path, input, raw };
}

export function removeBenchConfigs(): void {
  if (configDir) rmSync(configDir, { recursive: true, force: true });
  configDir = null;
}

export interface ServiceOptions {
  nodeArgs?: string[];
  logLevel?: string;
  onLine?: (line: string) => void;
  name?: string;
}

export interface RunningService {
  child: Child;
  port: number;
  url: string;
}

export async function startService(entry: string, config: BenchConfig, redisUrl: string, options: ServiceOptions, name: string): Promise<RunningService> {
  const port = await freePort();
  const child = startTs(entry, {
    name,
    env: { POOLGUARD_CONFIG: config.path, REDIS_URL: redisUrl, PORT: String(port), LOG_LEVEL: options.logLevel ?? 'warn' },
    ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealthy(child, `${url}/healthz`);
  return { child, port, url };
}

export function startReceiver(config: BenchConfig, redisUrl: string, options: ServiceOptions = {}): Promise<RunningService> {
  return startService('services/receiver/src/main.ts', config, redisUrl, options, options.name ?? 'receiver');
}

export function startWorker(config: BenchConfig, redisUrl: string, options: ServiceOptions = {}): Promise<RunningService> {
  return startService('services/worker/src/main.ts', config, redisUrl, options, options.name ?? 'worker');
}
