/**
 * 3. Tracker calls. 100 tickets in 4 pools, labelled and commented; then a burst of 1,000 changes
 * landing on them (10 size changes each, as a bulk edit or an import sends them), and a burst of
 * changes that matter nothing to Pool Guard (another label, a comment by a person). Write calls of
 * Pool Guard's account are counted by the sandbox; ticket writes (write-backs that called the
 * tracker) by the worker's own log. The naive path — one full write per event, no coalescing, no
 * diff — runs the same 1,000 events through the worker's write-back in this process.
 */
import { configFileSchema } from '@pool-guard/shared/config';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime } from '@pool-guard/shared/runtime';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { writeBackTicket, type WorkerDeps } from '@pool-guard/worker';
import type { FullStack } from '../support/full-stack.js';
import { QUARTERS, allShown, createTickets, projectsFor, setPools } from '../support/pool-load.js';
import { JIRA_TENANT } from '../support/services.js';
import { sleep, waitFor } from '../support/stats.js';

export interface TrackerCallsOptions {
  tickets: number;
  eventsPerTicket: number;
  /** Rate at which the burst's changes are made in Jira (its webhooks follow at once). */
  burstRate: number;
}

export interface TrackerCallsResult {
  events: number;
  tickets: number;
  writeCalls: number;
  ticketWrites: number;
  perThousand: number;
  ticketWritesPerThousand: number;
  noop: { events: number; writeCalls: number };
  naive: { events: number; writeCalls: number; ticketWrites: number; perThousand: number };
  burstSec: number;
  settleSec: number;
}

/** Write-backs finished since `since` that called the tracker (from the jobs' return values). */
async function ticketWritesSince(stack: FullStack, since: number): Promise<number> {
  const jobs = await stack.queues.writeback.getJobs(['completed'], 0, -1);
  return jobs.filter((j) => (j.finishedOn ?? 0) >= since && (j.returnvalue as { kind?: string } | null)?.kind === 'written').length;
}

/** The projects the tracker-calls load uses (the sandbox is created with them). */
export function trackerCallsProjects(): { key: string; name: string }[] {
  return projectsFor('T', 1);
}

export async function runTrackerCalls(stack: FullStack, options: TrackerCallsOptions, log: (s: string) => void): Promise<TrackerCallsResult> {
  const projects = trackerCallsProjects();
  const sandbox = stack.jira.sandbox;
  const bot = sandbox.users.bot.accountId;
  try {
    const pools = await setPools(stack.store, projects.map((p) => p.key), QUARTERS, 60);
    const tickets = createTickets(sandbox, pools, Math.ceil(options.tickets / pools.length)).slice(0, options.tickets);
    await waitFor(() => allShown(sandbox, tickets), 'the first labels and comments', 120_000, 100);
    await stack.settle(60_000);

    // The burst: every ticket's size changes eventsPerTicket times.
    const writes0 = sandbox.countWrites({ accountId: bot });
    const events = tickets.length * options.eventsPerTicket;
    const t0 = Date.now();
    for (let i = 0; i < events; i++) {
      const t = tickets[i % tickets.length]!;
      // Half a day more each time (in hours), so every change is real and the last one differs.
      t.days += 0.5;
      sandbox.editIssue(t.key, { originalEstimate: `${t.days * 8}h` });
      const due = t0 + ((i + 1) / options.burstRate) * 1000;
      if (due - Date.now() > 2) await sleep(due - Date.now());
    }
    const burstSec = (Date.now() - t0) / 1000;
    await waitFor(() => allShown(sandbox, tickets), 'the burst to show', 120_000, 100);
    await stack.settle(60_000);
    const settleSec = (Date.now() - t0) / 1000;
    const writeCalls = sandbox.countWrites({ accountId: bot }) - writes0;
    const burstTicketWrites = await ticketWritesSince(stack, t0);
    log(`  tracker calls: ${events} changes on ${tickets.length} tickets in ${burstSec.toFixed(2)} s -> ${writeCalls} write calls, ${burstTicketWrites} ticket writes (settled after ${settleSec.toFixed(1)} s)`);

    // Changes that matter nothing to Pool Guard: another label on and off, a comment by a person.
    const writes1 = sandbox.countWrites({ accountId: bot });
    const noopEvents = events;
    const t1 = Date.now();
    for (let i = 0; i < noopEvents; i++) {
      const t = tickets[i % tickets.length]!;
      if (i % 2 === 0) sandbox.editIssue(t.key, { labels: Math.floor(i / tickets.length) % 4 < 2 ? { add: ['triaged'] } : { remove: ['triaged'] } });
      else sandbox.addComment(t.key, `Customer asked again (${i})`);
      const due = t1 + ((i + 1) / options.burstRate) * 1000;
      if (due - Date.now() > 2) await sleep(due - Date.now());
    }
    await stack.settle(60_000);
    const noopWrites = sandbox.countWrites({ accountId: bot }) - writes1;
    log(`  tracker calls: ${noopEvents} changes that change nothing -> ${noopWrites} write calls`);

    // The naive path: one full write per event of the burst (what was last written is forgotten).
    const workers = stack.workers.length;
    await stack.stopWorkers();
    const config = configFileSchema.parse(stack.config.raw);
    const runtime = createRuntime({ config, redisUrl: stack.redisUrl, plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger() });
    const deps: WorkerDeps = { ...runtime, coalesceMs: config.worker.coalesceMs, reconcile: config.reconcile };
    const writes2 = sandbox.countWrites({ accountId: bot });
    let naiveTicketWrites = 0;
    try {
      const parallel = 8;
      for (let i = 0; i < events; i += parallel) {
        await Promise.all(
          Array.from({ length: Math.min(parallel, events - i) }, async (_, k) => {
            const t = tickets[(i + k) % tickets.length]!;
            await runtime.redis.del(runtime.keys.tenant(JIRA_TENANT).written(t.id));
            const outcome = await writeBackTicket(deps, { tenant: JIRA_TENANT, ticketId: t.id });
            if (outcome.kind === 'written') naiveTicketWrites++;
          }),
        );
      }
    } finally {
      await runtime.close();
      await stack.startWorkers(workers);
    }
    const naiveWrites = sandbox.countWrites({ accountId: bot }) - writes2;
    log(`  tracker calls, naive: ${events} events -> ${naiveWrites} write calls, ${naiveTicketWrites} ticket writes`);
    return {
      events,
      tickets: tickets.length,
      writeCalls,
      ticketWrites: burstTicketWrites,
      perThousand: (writeCalls / events) * 1000,
      ticketWritesPerThousand: (burstTicketWrites / events) * 1000,
      noop: { events: noopEvents, writeCalls: noopWrites },
      naive: { events, writeCalls: naiveWrites, ticketWrites: naiveTicketWrites, perThousand: (naiveWrites / events) * 1000 },
      burstSec,
      settleSec,
    };
  } finally {
    sandbox.faults.clear();
  }
}
