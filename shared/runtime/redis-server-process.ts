/**
 * A private `redis-server` for `npm start` when REDIS_URL is not set: started from PATH, bound to
 * loopback, data (AOF) kept in a local folder so the ledger survives restarts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { resolve } from 'node:path';

export const REDIS_INSTALL_HELP = [
  'Pool Guard needs Redis. Either set REDIS_URL to a Redis you run (e.g. REDIS_URL=redis://127.0.0.1:6379),',
  'or install redis-server so `npm start` can start a private one:',
  '  Debian/Ubuntu:  sudo apt-get install -y redis-server',
  '  macOS:          brew install redis',
  '  Docker:         docker run -d -p 6379:6379 redis:7 redis-server --appendonly yes',
  '                  then REDIS_URL=redis://127.0.0.1:6379 npm start',
].join('\n');

export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

export interface RedisServerProcess {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export function hasRedisServer(): boolean {
  const r = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

export function pingRedis(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((done) => {
    const sock = connect(port, host);
    sock.setTimeout(500);
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      sock.destroy();
      done(d.toString().startsWith('+PONG'));
    });
    sock.on('error', () => done(false));
    sock.on('timeout', () => {
      sock.destroy();
      done(false);
    });
  });
}

export interface StartRedisOptions {
  /** Data folder (AOF); created when missing. */
  dir: string;
  port?: number;
  /** Extra redis-server arguments. */
  args?: readonly string[];
}

/** Starts redis-server with AOF (`appendfsync everysec`) and `noeviction`, the settings Pool Guard needs. */
export async function startRedisServerProcess(options: StartRedisOptions): Promise<RedisServerProcess> {
  if (!hasRedisServer()) throw new RedisUnavailableError(`redis-server was not found on PATH.\n${REDIS_INSTALL_HELP}`);
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '',
    '--maxmemory-policy', 'noeviction', '--protected-mode', 'yes',
    ...(options.args ?? []),
  ];
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let spawnError: Error | null = null;
  child.on('error', (err) => {
    spawnError = err;
  });
  const deadline = Date.now() + 10_000;
  while (!(await pingRedis(port))) {
    if (spawnError) throw new RedisUnavailableError(`could not start redis-server: ${(spawnError as Error).message}\n${REDIS_INSTALL_HELP}`);
    if (child.exitCode !== null) throw new RedisUnavailableError(`redis-server exited with code ${child.exitCode} (is ${dir} writable?)`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new RedisUnavailableError('redis-server did not answer within 10 s');
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
