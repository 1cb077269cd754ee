/**
 * `npm run backfill -- --tenant acme --from 2026-Q3 --to 2027-Q1`: a reconcile sweep on demand
 * (see run-backfill.ts). POOLGUARD_CONFIG and REDIS_URL as for the services; LOG_LEVEL (default
 * warn) for the JSON logs on stderr.
 */
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { ConfigError } from '@pool-guard/shared/config';
import { createLogger } from '@pool-guard/shared/logging';
import { createRuntime, loadServiceConfig } from '@pool-guard/shared/runtime';
import { describeRedisUrl } from '@pool-guard/shared/store';
import { BACKFILL_USAGE, parseBackfillArgs } from './backfill-args.js';
import { EXIT, runBackfill } from './run-backfill.js';

async function main(): Promise<number> {
  const parsed = parseBackfillArgs(process.argv.slice(2));
  if (!parsed.ok) {
    if (parsed.help) {
      process.stdout.write(`${BACKFILL_USAGE}\n`);
      return EXIT.ok;
    }
    process.stderr.write(`backfill: ${parsed.error}\n\n${BACKFILL_USAGE}\n`);
    return EXIT.usage;
  }
  const { args } = parsed;

  let loaded;
  try {
    loaded = loadServiceConfig('backfill', { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL || 'warn' });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return EXIT.usage;
  }
  const { settings, config, redisUrl } = loaded;
  if (!config.tenants.some((t) => t.id === args.tenant)) {
    const known = config.tenants.map((t) => t.id).join(', ');
    process.stderr.write(`backfill: unknown tenant "${args.tenant}"; ${settings.configPath} has: ${known}\n`);
    return EXIT.usage;
  }

  const logger = createLogger({ name: 'backfill', level: settings.logLevel, destination: process.stderr });
  const runtime = createRuntime({ config, redisUrl, plugins: { jira: jiraPlugin, linear: linearPlugin }, logger });
  // Ctrl-C once: stop after the ticket at hand, keep what was done, print the summary. Twice: quit now.
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) process.exit(EXIT.interrupted);
    process.stderr.write(`\n${signal}: stopping after the current ticket (again to quit at once)...\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (!(await reachable(runtime.redisHealthy))) {
      process.stderr.write(`backfill: cannot reach Redis at ${describeRedisUrl(redisUrl)} (REDIS_URL)\n`);
      return EXIT.failed;
    }
    const result = await runBackfill({ args, config, runtime, logger, signal: stop.signal, stdout: process.stdout, stderr: process.stderr });
    return result.exitCode;
  } finally {
    await runtime.close();
  }
}

async function reachable(ping: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref());
  return Promise.race([ping(), timeout]);
}

main().then(
  (code) => {
    process.exitCode = code;
    // Sockets of the tracker client may linger; everything worth keeping is done.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (err: unknown) => {
    process.stderr.write(`backfill failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(EXIT.failed);
  },
);
