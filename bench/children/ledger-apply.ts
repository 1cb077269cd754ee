/**
 * Figure 4 (a): the time to apply one event to a pool of `size` requests, in a process of its own
 * set up as the worker is (`services/worker/src/main.ts`: the same runtime, auto-pipelined Redis
 * commands), over the memory tracker, so the figure is Pool Guard's own work and not the bench
 * harness's (whose heap holds the other parts' results) or a tracker's HTTP.
 *
 *   POOLGUARD_CONFIG=... REDIS_URL=... ledger-apply.ts <size> <events>
 *
 * Prints one line of JSON: the apply time of each event in ms (after a warm-up that is not counted).
 */
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, loadServiceConfig } from '@pool-guard/shared/runtime';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { applyTrackerEvent, recomputePool } from '@pool-guard/worker';
import { fillLedger, workerDeps } from '../support/memory-ledger.js';
import { memoryTicketId, memoryTrackerPlugin } from '../support/memory-tracker.js';
import { JIRA_TENANT } from '../support/services.js';

async function main(): Promise<void> {
  const [size = 1000, events = 2000] = process.argv.slice(2).map(Number);
  const { config, redisUrl } = loadServiceConfig('worker');
  const runtime = createRuntime({ config, redisUrl, plugins: { jira: memoryTrackerPlugin, linear: linearPlugin }, logger: silentLogger(), redisAutoPipelining: 'commands' });
  try {
    const tenant = runtime.tenants.get(JIRA_TENANT)!;
    const pool = 'BIG/2026-Q4';
    await runtime.store.setPoolSettings(JIRA_TENANT, pool, { limitDays: size * 2, warnAtPercent: 80 });
    const ids = Array.from({ length: size }, (_, i) => memoryTicketId('BIG', '2026-Q4', i + 1));
    // Filling is set-up, not measured: 32 at a time, and the first recompute queues no write-backs.
    await fillLedger(runtime, JIRA_TENANT, ids, 32);
    await recomputePool(workerDeps(runtime, true), tenant, pool);
    const base = workerDeps(runtime);
    const times: number[] = [];
    // The first events warm the JIT and the pool cache; they are run but not counted.
    const warmUp = Math.min(50, Math.floor(events / 10));
    for (let i = -warmUp; i < events; i++) {
      const id = ids[((i + warmUp) * 7919) % ids.length]!;
      const t0 = performance.now();
      await applyTrackerEvent(base, { tenant: JIRA_TENANT, event: { kind: 'ticket.changed', ticketKey: id, ticketId: id, actorId: 'someone', updatedAt: null } });
      if (i >= 0) times.push(performance.now() - t0);
    }
    process.stdout.write(`${JSON.stringify({ times })}\n`);
  } finally {
    await runtime.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
