/**
 * A webhook whose enqueue reply is lost: Redis ran the add, the connection broke before its answer
 * came back, and the Redis client sent the same command again on a new connection. The receiver
 * must still call the delivery accepted: answered "duplicate", it would be acknowledged without
 * being queued by anyone, and Jira does not redeliver an acknowledged webhook. (With the redelivery
 * mark as a plain SET NX, the resent command found its own mark and answered "duplicate".)
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { eventually } from '@pool-guard/shared/testing';
import { startRedisServer, type RedisServerHandle } from '../../../test/redis-server.js';
import { startTcpChaosProxy, type TcpChaosProxy } from '../../../test/tcp-chaos-proxy.js';
import { receiveWebhook } from '../src/use-cases/receive-webhook.js';

const SECRET = 'reply-lost-webhook-secret';
const BODY = readFileSync(resolve(process.cwd(), '../shared/specs/jira/webhooks/jira-issue-created.json'));

describe('a webhook whose enqueue reply is lost and resent', () => {
  let redis: RedisServerHandle;
  let proxy: TcpChaosProxy;
  let runtime: Runtime;
  let direct: Redis;

  beforeAll(async () => {
    redis = await startRedisServer();
    direct = new Redis(redis.url);
    proxy = await startTcpChaosProxy(redis.port);
    const config = configFileSchema.parse({
      adminTokens: [{ token: 'reply-lost-admin-token-0123' }],
      tenants: [{ id: 'acme', tracker: 'jira', baseUrl: 'https://acme.atlassian.net', email: 'bot@example.com', apiToken: 't', webhookSecret: SECRET }],
      redisKeyPrefix: 'lost',
    });
    runtime = createRuntime({ config, redisUrl: `redis://127.0.0.1:${proxy.port}`, plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    await runtime.redis.ping();
  });
  afterAll(async () => {
    await runtime?.close();
    direct?.disconnect();
    await proxy?.close();
    await redis?.stop();
  });

  const deliver = (id: string) =>
    receiveWebhook(runtime, {
      tracker: 'jira',
      tenantId: 'acme',
      raw: {
        headers: { 'content-type': 'application/json', 'x-atlassian-webhook-identifier': id, 'x-hub-signature': `sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}` },
        body: BODY,
      },
    });

  it('is accepted, queued once, and a real redelivery is still a duplicate', async () => {
    const stalled = proxy.stall(2000, 'replies');
    const outcome = deliver('lost-reply-1');
    // Redis has queued the event; its answer is held. Then every connection breaks.
    await eventually(async () => (await countDeliveries()) === 1, 'the event to be queued in Redis', 5_000, 10);
    proxy.resetAll();
    await stalled;
    expect(await outcome).toMatchObject({ kind: 'accepted' });
    expect(await countDeliveries()).toBe(1);
    expect(await deliver('lost-reply-1')).toMatchObject({ kind: 'duplicate' });
  });

  /** Deliveries on the ingest stream, read straight from Redis (not through the stalled proxy). */
  async function countDeliveries(): Promise<number> {
    return direct.xlen(runtime.queues.ingest.key);
  }
});
