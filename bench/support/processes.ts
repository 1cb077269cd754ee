/**
 * Child processes of the bench: Pool Guard's services and the bench's own helpers, all run from
 * their TypeScript sources through bench/loader (no build step), each in a process of its own so
 * that load generator, receiver, workers and trackers are separate OS processes as in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sleep, waitFor } from './stats.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REGISTER = fileURLToPath(new URL('../loader/register.mjs', import.meta.url));

/** Node flags that run a .ts file of this repository. */
export function tsNodeArgs(extra: readonly string[] = []): string[] {
  return ['--conditions=source', '--import', REGISTER, ...extra];
}

export interface ChildOptions {
  env?: Record<string, string>;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
  args?: string[];
  /** Called with each line the child writes to stdout. */
  onLine?: (line: string) => void;
  name: string;
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resident set size in bytes (from /proc; 0 when unavailable). */
  rss(): number;
  /** CPU time used so far (user + system), in microseconds (from /proc; 0 when unavailable). */
  cpuMicros(): number;
  /** Everything the child wrote to stderr so far (for error messages). */
  stderr(): string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  exited(): Promise<number | null>;
}

export function startTs(file: string, options: ChildOptions): Child {
  const child = spawn(process.execPath, [...tsNodeArgs(options.nodeArgs), fileURLToPath(new URL(file, `file://${ROOT}`)), ...(options.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString('utf8')).slice(-20_000);
  });
  let buffered = '';
  child.stdout!.on('data', (d: Buffer) => {
    if (!options.onLine) return;
    buffered += d.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      options.onLine(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name: options.name,
    process: child,
    rss() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const m = /VmRSS:\s+(\d+) kB/.exec(status);
        return m ? Number(m[1]) * 1024 : 0;
      } catch {
        return 0;
      }
    },
    cpuMicros: () => (child.pid ? processCpuMicros(child.pid) : 0),
    stderr: () => err,
    async stop(graceMs = 8000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exit.then(() => true), sleep(graceMs).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exit;
      }
    },
    exited: () => exit,
  };
}

/** Waits until `url` answers 200, failing early when the child exits. */
export async function waitForHealthy(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  let exitCode: number | null | undefined;
  void child.exited().then((c) => {
    exitCode = c;
  });
  await waitFor(
    async () => {
      if (exitCode !== undefined) throw new Error(`${child.name} exited with code ${exitCode}:\n${child.stderr()}`);
      try {
        const res = await fetch(url);
        await res.arrayBuffer();
        return res.status === 200;
      } catch {
        return false;
      }
    },
    `${child.name} at ${url}`,
    timeoutMs,
    50,
  );
}

/** CPU time (user + system) of a process, in microseconds, from /proc/<pid>/stat (Linux). */
export function processCpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime) in clock ticks of 1/100 s.
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return 0;
  }
}
