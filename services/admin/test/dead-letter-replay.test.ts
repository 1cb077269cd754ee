/**
 * Replaying a dead letter whose job data no longer fits the job's schema (queued by an older
 * version, or edited by hand in Bull Board) answers 409 and keeps the dead letter, instead of a 500.
 * Found by the admin API fuzzer (fuzz.test.ts).
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { configFileSchema } from '@pool-guard/shared/config';
import { boundPort, closeServer, listen } from '@pool-guard/shared/http';
import { silentLogger } from '@pool-guard/shared/logging';
import { DEAD_LETTER_JOB, QUEUE_NAMES } from '@pool-guard/shared/queue';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import { createAdminApp } from '../src/app.js';

const TOKEN = 'dead-letter-replay-admin-token';

describe('admin API: replaying a dead letter whose data does not fit its job any more', () => {
  let runtime: Runtime;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const config = configFileSchema.parse({
      adminTokens: [{ token: TOKEN }],
      tenants: [{ id: 'acme', tracker: 'jira', baseUrl: 'http://127.0.0.1:9', email: 'b@example.com', apiToken: 'x', webhookSecret: 's' }],
      redisKeyPrefix: uniquePrefix('dl-replay'),
    });
    runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    server = await listen(createAdminApp({ ...runtime, adminTokens: config.adminTokens }, []), 0, '127.0.0.1');
    base = `http://127.0.0.1:${boundPort(server)}/api/v1`;
  });
  afterAll(async () => {
    await closeServer(server);
    for (const q of [runtime.queues.writeback, runtime.queues.deadLetters]) await q.obliterate({ force: true });
    await runtime.close();
  });

  const replay = (id: string) => fetch(`${base}/dead-letters/${id}/replay`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });

  it('answers 409 naming the problem, and keeps the dead letter', async () => {
    const entry = { tenant: 'acme', queue: QUEUE_NAMES.writeback, name: 'tracker.writeback', jobId: 'old-1', data: { tenant: 'acme', ticket: '10001' }, failedReason: 'x', stacktrace: [], attemptsMade: 12, failedAt: '2026-11-27T10:00:00.000Z' };
    const job = await runtime.queues.deadLetters.add(DEAD_LETTER_JOB, entry, { removeOnComplete: true, removeOnFail: false });
    const res = await replay(String(job.id));
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/ticketId/);
    expect(await runtime.queues.writeback.count()).toBe(0);
    expect((await fetch(`${base}/dead-letters/${job.id}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it('still replays a dead letter whose data fits', async () => {
    const entry = { tenant: 'acme', queue: QUEUE_NAMES.writeback, name: 'tracker.writeback', jobId: 'ok-1', data: { tenant: 'acme', ticketId: '10001' }, failedReason: 'x', stacktrace: [], attemptsMade: 12, failedAt: '2026-11-27T10:00:00.000Z' };
    const job = await runtime.queues.deadLetters.add(DEAD_LETTER_JOB, entry, { removeOnComplete: true, removeOnFail: false });
    expect((await replay(String(job.id))).status).toBe(202);
    expect(await runtime.queues.writeback.count()).toBe(1);
  });
});
