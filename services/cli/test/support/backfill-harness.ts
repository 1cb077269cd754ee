/**
 * Harness for the backfill command: a sandbox Jira on loopback (behind a front that can hold
 * search pages, to interrupt a backfill mid-listing), a config file naming it, the run's real
 * redis-server with a key prefix of its own, and the built command spawned as a child process,
 * exactly as `npm run backfill` runs it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import express from 'express';
import type { Redis } from 'ioredis';
import { createJiraSandbox, type JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import { createKeySpace, LedgerStore } from '@pool-guard/shared/store';
import { connectTestRedis, testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';

export const BACKFILL_MAIN = resolve(process.cwd(), 'services/cli/dist/src/backfill.js');
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface CliRun {
  child: ChildProcess;
  /** Resolves when the process exits. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Resolves when stderr has printed a line matching `pattern`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export interface BackfillHarness {
  sandbox: JiraSandbox;
  sandboxUrl: string;
  configPath: string;
  redisKeyPrefix: string;
  store: LedgerStore;
  redis: Redis;
  setPool(scope: string, quarter: string, limitDays: number): Promise<void>;
  /** From now on, search requests after the first `n` wait until `release()` (null: none wait). */
  holdSearchesAfter(n: number | null): void;
  release(): void;
  run(args: string[], env?: Record<string, string>): CliRun;
  close(): Promise<void>;
}

export async function startBackfillHarness(): Promise<BackfillHarness> {
  let sandbox: JiraSandbox | null = null;
  let searches = 0;
  let holdAfter: number | null = null;
  let held: Array<() => void> = [];
  const front = express();
  front.use((req, res, next) => {
    if (req.method === 'POST' && req.path.endsWith('/rest/api/3/search/jql')) {
      searches++;
      if (holdAfter !== null && searches > holdAfter) {
        held.push(() => next());
        return;
      }
    }
    next();
  });
  front.use((req, res, next) => sandbox!.app(req, res, next));
  const server: Server = await new Promise((ok) => {
    const s = front.listen(0, '127.0.0.1', () => ok(s));
  });
  const address = server.address();
  const sandboxUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  sandbox = createJiraSandbox({ baseUrl: sandboxUrl });

  const dir = mkdtempSync(join(tmpdir(), 'pool-guard-backfill-'));
  const redisKeyPrefix = uniquePrefix('backfill');
  const configPath = join(dir, 'pool-guard.yml');
  writeFileSync(
    configPath,
    [
      'adminTokens:',
      `  - token: "${ADMIN_TOKEN}"`,
      'tenants:',
      '  - id: acme',
      '    tracker: jira',
      `    baseUrl: ${sandboxUrl}`,
      `    email: ${sandbox.users.bot.email}`,
      '    apiToken: "${JIRA_API_TOKEN}"',
      '    webhookSecret: not-used-by-the-backfill',
      'reconcile:',
      '  intervalMinutes: 0',
      `redisKeyPrefix: ${redisKeyPrefix}`,
      '',
    ].join('\n'),
  );

  const redis = connectTestRedis();
  const store = new LedgerStore({ redis, keys: createKeySpace(redisKeyPrefix) });
  const children = new Set<ChildProcess>();
  const release = () => {
    holdAfter = null;
    const waiting = held;
    held = [];
    for (const go of waiting) go();
  };

  return {
    sandbox,
    sandboxUrl,
    configPath,
    redisKeyPrefix,
    store,
    redis,
    async setPool(scope, quarter, limitDays) {
      await store.setPoolSettings('acme', `${scope}/${quarter}`, { limitDays, warnAtPercent: 80 });
    },
    holdSearchesAfter(n) {
      searches = 0;
      holdAfter = n;
    },
    release,
    run(args, env = {}) {
      const child = spawn(process.execPath, [BACKFILL_MAIN, ...args], {
        env: {
          PATH: process.env.PATH ?? '',
          POOLGUARD_CONFIG: configPath,
          REDIS_URL: testRedisUrl(),
          JIRA_API_TOKEN: sandbox!.users.bot.apiToken,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      let stdout = '';
      let stderr = '';
      const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        for (const w of [...waiters]) {
          const line = stderr.split('\n').find((l) => w.pattern.test(l));
          if (line !== undefined) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      });
      const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((ok) => {
        child.on('exit', (code) => {
          children.delete(child);
          // Let the pipes drain.
          setTimeout(() => ok({ code, stdout, stderr }), 20);
        });
      });
      return {
        child,
        done,
        waitForStderr(pattern, timeoutMs = 20_000) {
          const line = stderr.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) return Promise.resolve(line);
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`no stderr line matching ${pattern} within ${timeoutMs} ms; stderr so far:\n${stderr}`)), timeoutMs);
            waiters.push({ pattern, resolve: (l) => (clearTimeout(timer), ok(l)) });
          });
        },
      };
    },
    async close() {
      for (const c of children) c.kill('SIGKILL');
      release();
      await new Promise((ok) => {
        server.close(() => ok(undefined));
        server.closeAllConnections();
      });
      await sandbox!.close().catch(() => undefined);
      await redis.quit();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
