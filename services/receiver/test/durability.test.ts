/**
 * The durability claim of docs/decisions/0003-redis-durability.md, tested: with the shipped Redis
 * settings (AOF, appendfsync everysec), every webhook the receiver acknowledged survives the Redis
 * process being killed (kill -9) 2.5 s after the acknowledgement, and a restart from its AOF.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema } from '@pool-guard/shared/config';
import { boundPort, closeServer, listen } from '@pool-guard/shared/http';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { eventually } from '@pool-guard/shared/testing';
import { startRedisServer, type RedisServerHandle } from '../../../test/redis-server.js';
import { createReceiverApp } from '../src/app.js';

const FIXTURE = readFileSync(resolve(process.cwd(), '../shared/specs/jira/webhooks/jira-issue-created.json'), 'utf8');
const SECRET = 'durability-secret';
const SHIPPED = ['--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction'];
const N = 300;

describe('acknowledged webhooks survive a Redis crash (AOF everysec)', () => {
  let dir: string;
  let redis: RedisServerHandle;
  let runtime: Runtime;
  let server: Server;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pg-aof-'));
    redis = await startRedisServer({ dir, args: SHIPPED });
    const config = configFileSchema.parse({
      adminTokens: [{ token: 'durability-admin-token-0123' }],
      tenants: [{ id: 'acme', tracker: 'jira', baseUrl: 'http://127.0.0.1:9', email: 'b@example.com', apiToken: 'x', webhookSecret: SECRET }],
    });
    runtime = createRuntime({ config, redisUrl: redis.url, plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    server = await listen(createReceiverApp(runtime, []), 0, '127.0.0.1');
  });
  afterAll(async () => {
    await closeServer(server);
    await runtime.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`keeps all ${N} acknowledged events after kill -9 and restart`, async () => {
    const url = `http://127.0.0.1:${boundPort(server)}/webhooks/jira/acme`;
    let acknowledged = 0;
    // Send in parallel batches; kill Redis the instant the last acknowledgement arrives.
    for (let batch = 0; batch < N / 50; batch++) {
      const results = await Promise.all(
        Array.from({ length: 50 }, async (_, j) => {
          const i = batch * 50 + j;
          const body = FIXTURE.replaceAll('"10042"', `"${40000 + i}"`).replaceAll('CR-42', `CR-${1000 + i}`);
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-atlassian-webhook-identifier': `dur-${i}`, 'x-hub-signature': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` },
            body,
          });
          return res.status;
        }),
      );
      acknowledged += results.filter((s) => s === 202).length;
    }
    expect(acknowledged).toBe(N);
    // everysec's bound: Redis hands every write to the OS before replying, except while a background
    // fsync has stalled for over 2 s (a saturated disk), when it may hold writes back for up to 2 s.
    // Killing Redis 2.5 s after the last acknowledgement tests the guarantee that holds in both cases.
    await new Promise((r) => setTimeout(r, 2_500));
    redis.process.kill('SIGKILL');
    await new Promise((r) => redis.process.once('exit', r));

    redis = await startRedisServer({ port: redis.port, dir, args: SHIPPED });
    const deliveries = await eventually(async () => {
      const n = await runtime.queues.ingest.backlog().catch(() => 0);
      return n > 0 ? n : null;
    }, 'the ingest stream to be back after the restart');
    expect(deliveries).toBe(N);
    // Redeliveries of acknowledged events are still recognised after the restart.
    const body = FIXTURE.replaceAll('"10042"', '"40000"').replaceAll('CR-42', 'CR-1000');
    const again = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-atlassian-webhook-identifier': 'dur-0', 'x-hub-signature': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}` },
      body,
    });
    expect(again.status).toBe(200);
  });
});
