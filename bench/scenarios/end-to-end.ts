/**
 * 2. End to end and 5. Scale. Tickets in pools in the sandbox Jira, the receiver and workers as
 * separate processes. A sales rep changes estimates at a steady rate; each change is measured from
 * the moment its webhook is sent to the moment its ticket shows the new size (label, comment and
 * badge). Then the same kind of change as a backlog drained by 1 worker process and by 2.
 */
import type { FullStack } from '../support/full-stack.js';
import { LandingClock, QUARTERS, allShown, createTickets, nextDays, projectsFor, setPools, type BenchTicket } from '../support/pool-load.js';
import { summarize, sleep, waitFor, type LatencySummary } from '../support/stats.js';

export interface EndToEndOptions {
  rate: number;
  durationSec: number;
  tickets: number;
  pools: number;
  /** Changes queued for the scale comparison. */
  scaleBacklog: number;
}

export interface EndToEndResult {
  sent: number;
  landed: number;
  unlanded: number;
  sendRate: number;
  latencyMs: LatencySummary;
  setupSec: number;
  trackerWrites: number;
  scale: { backlog: number; oneWorkerPerSec: number; twoWorkersPerSec: number; ratio: number; workerCpuMsPerChange: number[] };
}

/** Changes `count` tickets' sizes at `rate` per second (round robin over the tickets). */
async function drive(stack: FullStack, tickets: BenchTicket[], rate: number, count: number, clock: LandingClock | null): Promise<number> {
  const start = Date.now();
  let sent = 0;
  for (let guard = 0; sent < count && guard < 10_000_000; guard++) {
    const due = Math.min(count, Math.floor(((Date.now() - start) / 1000) * rate) + 1);
    while (sent < due) {
      const t = tickets[sent % tickets.length]!;
      t.days = nextDays(t.days);
      const at = Date.now();
      stack.jira.sandbox.editIssue(t.key, { originalEstimate: `${t.days}d` });
      clock?.expect(t, t.days, at);
      sent++;
    }
    if (sent < count) await sleep(Math.max(1, Math.min(20, 1000 / rate)));
  }
  return (Date.now() - start) / 1000;
}

/** The projects the end-to-end load uses (the sandbox is created with them). */
export function endToEndProjects(pools: number): { key: string; name: string }[] {
  return projectsFor('E', Math.max(1, Math.ceil(pools / QUARTERS.length)));
}

export async function runEndToEnd(stack: FullStack, options: EndToEndOptions, log: (s: string) => void): Promise<EndToEndResult> {
  const projects = endToEndProjects(options.pools);
  {
    const setupStart = Date.now();
    const pools = (await setPools(stack.store, projects.map((p) => p.key), QUARTERS, 60)).slice(0, options.pools);
    const tickets = createTickets(stack.jira.sandbox, pools, Math.ceil(options.tickets / pools.length)).slice(0, options.tickets);
    await waitFor(() => allShown(stack.jira.sandbox, tickets), 'the first labels and comments', 180_000, tickets.length > 100 ? 250 : 50);
    await stack.settle(120_000);
    const setupSec = (Date.now() - setupStart) / 1000;
    log(`  e2e: ${tickets.length} tickets in ${pools.length} pools labelled in ${setupSec.toFixed(1)} s; ${options.rate} changes/s for ${options.durationSec} s`);

    const clock = new LandingClock(stack.jira.sandbox);
    stack.jira.onBotWrite = (ref, at) => clock.observe(ref, at);
    const writesBefore = stack.jira.sandbox.countWrites({ accountId: stack.jira.sandbox.users.bot.accountId });
    const count = Math.round(options.rate * options.durationSec);
    // Every 10 s: how much is waiting where, so a growing latency can be traced to its queue.
    const started = Date.now();
    const monitor = setInterval(() => {
      void Promise.all([
        stack.queues.ingest.backlog().then(async (deliveries) => deliveries + (await stack.queues.events.getJobCountByTypes('waiting', 'prioritized'))),
        stack.queues.writeback.getJobCountByTypes('waiting', 'prioritized'),
        stack.queues.writeback.getJobCountByTypes('delayed'),
      ]).then(([events, writeBacks, delayed]) => {
        const shown = clock.latencies.slice(-200);
        const recent = shown.length > 0 ? shown.reduce((a, b) => a + b, 0) / shown.length : 0;
        log(`  e2e at ${((Date.now() - started) / 1000).toFixed(0)} s: events waiting ${events}, write-backs waiting ${writeBacks} (+${delayed} delayed), changes not yet shown ${clock.outstanding}, latest shown ${recent.toFixed(0)} ms on average`);
      }).catch(() => undefined);
    }, 10_000);
    const took = await drive(stack, tickets, options.rate, count, clock).finally(() => clearInterval(monitor));
    await waitFor(() => clock.outstanding === 0, 'every change to show', 60_000, 50).catch(() => undefined);
    const unlanded = clock.outstanding;
    stack.jira.onBotWrite = null;
    await stack.settle(120_000);
    const trackerWrites = stack.jira.sandbox.countWrites({ accountId: stack.jira.sandbox.users.bot.accountId }) - writesBefore;
    const latencies = [...clock.latencies, ...Array.from({ length: unlanded }, () => Number.POSITIVE_INFINITY)];

    // 5. Scale: the same changes as a backlog (queues paused), drained by 1 worker process, then 2.
    const drainRates: number[] = [];
    const workerCpuUsPerChange: number[] = [];
    for (const n of [1, 2]) {
      await stack.stopWorkers();
      await stack.queues.events.pause();
      await stack.queues.writeback.pause();
      const backlogClock = new LandingClock(stack.jira.sandbox);
      await drive(stack, tickets, 1_500, options.scaleBacklog, backlogClock);
      await stack.jira.sandbox.idle();
      await stack.startWorkers(n);
      stack.jira.onBotWrite = (ref, at) => backlogClock.observe(ref, at);
      const t0 = Date.now();
      const cpu0 = stack.workers.reduce((a, w) => a + w.child.cpuMicros(), 0);
      await stack.queues.events.resume();
      await stack.queues.writeback.resume();
      await waitFor(() => backlogClock.outstanding === 0, `the backlog to drain with ${n} worker(s)`, 300_000, 10);
      const sec = (Date.now() - t0) / 1000;
      const cpuUs = stack.workers.reduce((a, w) => a + w.child.cpuMicros(), 0) - cpu0;
      workerCpuUsPerChange.push(cpuUs / options.scaleBacklog);
      stack.jira.onBotWrite = null;
      drainRates.push(options.scaleBacklog / sec);
      log(`  scale: ${options.scaleBacklog} changes drained by ${n} worker process(es) in ${sec.toFixed(2)} s (${(cpuUs / options.scaleBacklog / 1000).toFixed(2)} ms worker CPU per change)`);
      await stack.settle(120_000);
    }
    return {
      sent: count,
      landed: clock.latencies.length,
      unlanded,
      sendRate: count / took,
      latencyMs: summarize(latencies),
      setupSec,
      trackerWrites,
      scale: {
        backlog: options.scaleBacklog,
        oneWorkerPerSec: drainRates[0]!,
        twoWorkersPerSec: drainRates[1]!,
        ratio: drainRates[1]! / drainRates[0]!,
        workerCpuMsPerChange: workerCpuUsPerChange.map((us) => us / 1000),
      },
    };
  }
}
