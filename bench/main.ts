/**
 * `npm run bench`: how fast Pool Guard is on this machine, each figure beside its baseline, against
 * the targets of issue 5. Prints a table, writes bench/results.json, exits 1 when a target is missed.
 *
 *   npm run bench                       # the full run (about 4 minutes on 2 cores)
 *   npm run bench -- --smoke            # seconds, tiny loads, no targets (run by npm test)
 *   npm run bench -- --only=ingest,e2e  # some parts: ingest, e2e (with scale), calls, ledger
 *   npm run bench -- --profile          # also write CPU profiles of the receiver and workers (bench/profiles/)
 *   npm run bench -- --only=e2e --e2e-rate=100 --e2e-seconds=20   # a lighter end-to-end load
 *   npm run bench -- --only=ingest --ack-rate=1800 --receiver-node-args=--max-semi-space-size=4
 *                                       # experiments: the ack latency at a fixed rate; node flags for the receiver
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { startRedisServer } from '../test/redis-server.js';
import { prewarm } from './loader/transpile.mjs';
import { ROOT } from './support/processes.js';
import { removeBenchConfigs } from './support/services.js';
import { round } from './support/stats.js';
import { buildTable, renderTable, type Row } from './support/report.js';
import { FullStack } from './support/full-stack.js';
import { endToEndProjects, runEndToEnd, type EndToEndOptions, type EndToEndResult } from './scenarios/end-to-end.js';
import { runIngest, type IngestResult } from './scenarios/ingest.js';
import { runLedger, type LedgerResult } from './scenarios/ledger.js';
import { runTrackerCalls, trackerCallsProjects, type TrackerCallsResult } from './scenarios/tracker-calls.js';

const PARTS = ['ingest', 'e2e', 'calls', 'ledger'] as const;
type Part = (typeof PARTS)[number];

interface Args {
  smoke: boolean;
  only: Set<Part>;
  out: string;
  profile: boolean;
  /** Overrides of the end-to-end load (changes per second, seconds). */
  e2eRate?: number;
  /** Ack latency measured at this rate (per second) instead of half the measured maximum. */
  ackRate?: number;
  /** Extra node flags for the receiver process (space-separated). */
  receiverNodeArgs?: string[];
  e2eSeconds?: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { smoke: false, only: new Set(PARTS), out: join(ROOT, 'bench', 'results.json'), profile: false };
  for (const a of argv) {
    if (a === '--smoke') args.smoke = true;
    else if (a === '--profile') args.profile = true;
    else if (a.startsWith('--only=')) {
      const parts = a.slice(7).split(',');
      for (const p of parts) if (!(PARTS as readonly string[]).includes(p)) throw new Error(`bench: unknown part "${p}"; use ${PARTS.join(', ')}`);
      args.only = new Set(parts as Part[]);
    } else if (a.startsWith('--out=')) args.out = a.slice(6);
    else if (a.startsWith('--e2e-rate=')) args.e2eRate = Number(a.slice(11));
    else if (a.startsWith('--e2e-seconds=')) args.e2eSeconds = Number(a.slice(14));
    else if (a.startsWith('--ack-rate=')) args.ackRate = positive(a, a.slice(11));
    else if (a.startsWith('--receiver-node-args=')) args.receiverNodeArgs = a.slice(21).split(' ').filter((f) => f !== '');
    else throw new Error(`bench: unknown argument ${a}`);
  }
  return args;
}

function positive(arg: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`bench: ${arg} needs a whole number above 0`);
  return n;
}

function machine(): Record<string, unknown> {
  const redis = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    freeMemoryGb: round(freemem() / 1024 ** 3, 1),
    node: process.version,
    redis: /v=([\d.]+)/.exec(redis)?.[1] ?? redis,
    loadAverageAtStart: loadavg().map((l) => round(l, 2)),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const log = (s: string) => process.stdout.write(`${s}\n`);
  const step = (s: string) => log(`${s} (at ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  const info = machine();
  log(`Pool Guard bench${args.smoke ? ' (smoke: tiny loads, no targets)' : ''} — ${info.cpus} cores, node ${String(info.node)}, redis ${String(info.redis)}, load ${(info.loadAverageAtStart as number[]).join(' ')}`);
  // Fill the loader's transpile cache first, so no measured process loads the TypeScript compiler.
  await prewarm();
  const redis = await startRedisServer();
  const s = args.smoke;
  const profileArgs = ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench', 'profiles')}`];
  const e2eOptions: EndToEndOptions = { rate: args.e2eRate ?? (s ? 20 : 200), durationSec: args.e2eSeconds ?? (s ? 1 : 60), tickets: s ? 10 : 500, pools: s ? 2 : 20, scaleBacklog: s ? 10 : 2000 };
  let fullStack: FullStack | null = null;
  const stack = (): FullStack => fullStack!;
  const results: { ingest?: IngestResult; e2e?: EndToEndResult; calls?: TrackerCallsResult; ledger?: LedgerResult } = {};
  try {
    if (args.only.has('ingest')) {
      step('ingest');
      results.ingest = await runIngest(
        {
          redisUrl: redis.url,
          redisPid: redis.process.pid ?? 0,
          durationSec: s ? 1 : 5,
          rounds: s ? 1 : 3,
          connections: s ? 10 : 50,
          warmUpSec: s ? 0 : 1,
          ...(args.profile || args.receiverNodeArgs ? { receiverNodeArgs: [...(args.profile ? profileArgs : []), ...(args.receiverNodeArgs ?? [])] } : {}),
          ...(args.ackRate ? { ackRate: args.ackRate } : {}),
        },
        log,
      );
    }
    if (args.only.has('ledger')) {
      step('ledger');
      results.ledger = await runLedger(
        {
          redisUrl: redis.url,
          bigPoolSize: s ? 50 : 1000,
          bigPoolEvents: s ? 10 : 2000,
          requests: s ? 400 : 100_000,
          pools: s ? 8 : 2000,
          touchEvents: s ? 8 : 2000,
        },
        log,
      );
    }
    if (args.only.has('calls') || args.only.has('e2e')) {
      step('full stack (sandbox Jira, receiver, worker)');
      fullStack = await FullStack.start({
        redisUrl: redis.url,
        prefix: 'bench-stack',
        projects: [...trackerCallsProjects(), ...endToEndProjects(e2eOptions.pools)],
        workers: 1,
        ...(args.profile ? { workerOptions: { nodeArgs: profileArgs }, receiverOptions: { nodeArgs: profileArgs } } : {}),
      });
    }
    if (args.only.has('calls')) {
      step('tracker calls');
      results.calls = await runTrackerCalls(stack(), { tickets: s ? 8 : 100, eventsPerTicket: s ? 2 : 10, burstRate: s ? 200 : 1000 }, log);
    }
    if (args.only.has('e2e')) {
      step('end to end');
      results.e2e = await runEndToEnd(stack(), e2eOptions, log);
    }
  } finally {
    await fullStack?.close();
    await redis.stop();
    removeBenchConfigs();
  }

  const rows: Row[] = buildTable(results, { enforce: !s });
  log('');
  log(renderTable(rows));
  const missed = rows.filter((r) => r.pass === false);
  const report = {
    at: new Date().toISOString(),
    mode: s ? 'smoke' : 'full',
    ...(args.receiverNodeArgs || args.ackRate ? { experiment: { receiverNodeArgs: args.receiverNodeArgs ?? [], ackRate: args.ackRate ?? null } } : {}),
    machine: info,
    loadAverageAtEnd: loadavg().map((l) => round(l, 2)),
    durationSec: round((Date.now() - started) / 1000, 1),
    table: rows,
    results,
  };
  mkdirSync(join(args.out, '..'), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`);
  log('');
  log(`took ${report.durationSec} s; load average at the end ${report.loadAverageAtEnd.join(' ')}; results in ${args.out}`);
  if (missed.length > 0) {
    log(`targets missed: ${missed.map((r) => r.figure).join('; ')}`);
    process.exitCode = 1;
  }
  // Everything was stopped above; do not wait for a stray keep-alive socket.
  process.exit(process.exitCode ?? 0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(2);
});
