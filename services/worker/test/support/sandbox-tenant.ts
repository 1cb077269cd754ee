/**
 * The set-up most worker tests share: the sandbox Jira, and a runtime with one Jira tenant `acme`
 * on it (the real plugins, the test Redis under a fresh key prefix), plus the worker's deps.
 */
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { createJiraSandbox, type JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import { configFileSchema, type ConfigFile } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import { testRedisUrl, uniquePrefix } from '@pool-guard/shared/testing';
import type { WorkerDeps } from '../../src/worker-deps.js';

export interface SandboxTenant {
  sandbox: JiraSandbox;
  config: ConfigFile;
  runtime: Runtime;
  /** The worker's deps over `runtime`, with the config's coalesce window. */
  deps: WorkerDeps;
  /** Empties the queues the test used, closes the runtime and the sandbox. */
  close(): Promise<void>;
}

export async function startSandboxTenant(name: string, options: { coalesceMs?: number } = {}): Promise<SandboxTenant> {
  const sandbox = createJiraSandbox({ webhookJitterMs: 0 });
  const url = await sandbox.listen(0);
  const coalesceMs = options.coalesceMs ?? 0;
  const config = configFileSchema.parse({
    adminTokens: [{ token: `${name}-admin-token-0123456789`, role: 'admin' }],
    tenants: [{ id: 'acme', tracker: 'jira', baseUrl: url, email: sandbox.users.bot.email, apiToken: sandbox.users.bot.apiToken, webhookSecret: `${name}-secret` }],
    worker: { coalesceMs },
    redisKeyPrefix: uniquePrefix(name),
  });
  const runtime = createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
  return {
    sandbox,
    config,
    runtime,
    deps: { ...runtime, coalesceMs, reconcile: config.reconcile },
    async close() {
      for (const q of [runtime.queues.events, runtime.queues.writeback]) await q.obliterate({ force: true }).catch(() => undefined);
      await runtime.close();
      await sandbox.close();
    },
  };
}
