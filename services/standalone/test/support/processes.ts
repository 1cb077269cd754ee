/** Runs the built services as separate processes, as a deployment would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { eventually } from '@pool-guard/shared/testing';

export type ServiceName = 'receiver' | 'worker' | 'admin' | 'standalone';

export interface ServiceProcess {
  name: ServiceName;
  port: number;
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function serviceEntry(name: ServiceName): string {
  const path = resolve(process.cwd(), `services/${name}/dist/src/main.js`);
  if (!existsSync(path)) throw new Error(`${path} is missing: npm test builds it first (npm run build)`);
  return path;
}

export async function startService(name: ServiceName, port: number, env: Record<string, string>): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [serviceEntry(name)], {
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${out}`);
        return (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status === 200;
      },
      `${name} on port ${port} to be healthy`,
      20_000,
      100,
    );
  } catch (err) {
    // Never healthy: do not leave it running behind the test.
    child.kill('SIGKILL');
    throw err;
  }
  return {
    name,
    port,
    child,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
