#!/usr/bin/env node
// Makes sure `redis-server` is on PATH before `npm start` / `npm test`: installs it with apt-get
// when running as root on Debian/Ubuntu, and otherwise says exactly what to install.
// With REDIS_URL set, `npm start` uses that Redis and needs no local redis-server.
import { spawnSync } from 'node:child_process';

const purpose = process.argv[2] ?? 'start';
const has = (cmd, args = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

if (purpose === 'start' && process.env.REDIS_URL) process.exit(0);
if (has('redis-server') && (purpose !== 'test' || has('redis-cli'))) process.exit(0);

const packages = purpose === 'test' ? ['redis-server', 'redis-tools'] : ['redis-server'];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && has('apt-get', ['--version'])) {
  console.error(`Installing ${packages.join(' ')} with apt-get (needed by npm ${purpose})...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env }) : update;
  if (install.status === 0 && has('redis-server')) process.exit(0);
  console.error('apt-get could not install redis-server.');
}

console.error(`Pool Guard needs redis-server on PATH for npm ${purpose}. Install it:
  Debian/Ubuntu:  sudo apt-get install -y ${packages.join(' ')}
  macOS:          brew install redis
${purpose === 'start' ? '  or point Pool Guard at a Redis you run:  REDIS_URL=redis://127.0.0.1:6379 npm start\n' : ''}`);
process.exit(1);
