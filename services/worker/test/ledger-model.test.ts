/**
 * Model test of the ledger and the write-backs: random interleavings of two workers against a
 * sequential reference.
 *
 * A sales rep creates, estimates, ranks, moves, relabels, transitions and deletes tickets in a
 * sandbox Jira, and an admin sets pool limits (a pool.recompute job, run by `recomputePool`). Every change becomes a webhook event, delivered once or twice (redelivery), late
 * and out of order (reordering), to worker A or worker B: two independent WorkerDeps, each with its
 * own Redis connections and tracker client, as two worker processes have. Each worker runs the
 * real use-cases (`applyTrackerEvent`, which recomputes pools, and `writeBackTicket` for every
 * write-back queued) on the run's real Redis.
 *
 * The interleaving is fast-check's: every Redis-store, tracker and lock call of either
 * worker first waits on a scheduled promise, and the scheduler releases one waiting call at a time,
 * only when every other task is parked at such a point (so a run replays from its seed). Between
 * two calls a worker may be overtaken by the other one, by the sales rep, or by a write-back.
 *
 * When everything has run, the reference is the pure domain applied to the sandbox's final tickets
 * (test/support/ground-truth.ts of the standalone service): every pool's requests, committed outcome
 * and used days in the ledger, and every ticket's label, badge and single comment, must match it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { jiraPlugin } from '@pool-guard/plugin-jira';
import { linearPlugin } from '@pool-guard/plugin-linear';
import { createJiraSandbox, type JiraSandbox } from '@pool-guard/plugin-jira/sandbox';
import { configFileSchema, type ConfigFile } from '@pool-guard/shared/config';
import { admitRequests, poolIdOf, toPoolRequest, type PoolRequest } from '@pool-guard/shared/domain';
import { silentLogger } from '@pool-guard/shared/logging';
import { createRuntime, type Runtime } from '@pool-guard/shared/runtime';
import type { TenantContext, TenantRegistry, TrackerEvent } from '@pool-guard/shared/tracker';
import { testRedisUrl } from '@pool-guard/shared/testing';
import { DEFAULT_RULES, differences, groundTruth, sandboxTicket } from '../../standalone/test/support/ground-truth.js';
import { applyEventBatch } from '../src/use-cases/apply-event-batch.js';
import { applyTrackerEvent, recomputePool, settingsOf, writeBackPool, writeBackTicket, type WorkerDeps, type WriteBackOutcome } from '../src/index.js';
import { reportingAdds } from './support/reporting-queues.js';

const TENANT = 'acme';
const SECRET = 'model-test-webhook-secret';
const Q4 = '2026-Q4';
const Q1 = '2027-Q1';
const DUE: Record<string, string | null> = { q4: '2026-11-20', q1: '2027-02-10', none: null };
// POOLGUARD_MODEL_RUNS=1000 for a longer hunt; POOLGUARD_MODEL_SEED and POOLGUARD_MODEL_PATH (as
// printed by a failure) replay one case, and POOLGUARD_MODEL_SHRINK=1 shrinks it (slow: real I/O).
const NUM_RUNS = Number(process.env.POOLGUARD_MODEL_RUNS ?? 50);
/** The seed of the default run (see the test). */
const DEFAULT_SEED = 20_261_127;
const RUN_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// What the sales rep does, and how each change reaches the workers.

type Status = 'To Do' | 'In Progress' | 'Done';
type Due = 'q4' | 'q1' | 'none';
type WorkerName = 'A' | 'B';

type Action =
  | { kind: 'create'; project: 'CR' | 'OPS'; custom: boolean; days: number | null; due: Due; status: Status }
  | { kind: 'estimate'; ticket: number; days: number | null }
  | { kind: 'rank'; ticket: number; before: number }
  | { kind: 'state'; ticket: number; status: Status }
  | { kind: 'label'; ticket: number; custom: boolean }
  | { kind: 'due'; ticket: number; due: Due }
  | { kind: 'delete'; ticket: number }
  /** An admin sets a pool's limit (PUT .../pools/{scope}/{quarter}), which queues a pool recompute. */
  | { kind: 'limit'; quarter: 'q4' | 'q1'; limitDays: number };

/** One action and who gets its webhook: one worker, or two deliveries (a redelivery). */
interface Step {
  action: Action;
  deliveries: WorkerName[];
}

interface Scenario {
  /** Limits of CR/2026-Q4 and CR/2027-Q1 (null: never set); OPS pools are never set (no limit). */
  limits: { crQ4: number | null; crQ1: number | null };
  steps: Step[];
  /** Which worker takes the n-th write-back job (cycled). */
  writeBackWorkers: WorkerName[];
}

const days = fc.constantFrom<number | null>(null, 1, 2, 3, 5);
const status = fc.constantFrom<Status>('To Do', 'To Do', 'In Progress', 'Done');
const due = fc.constantFrom<Due>('q4', 'q4', 'q1', 'none');
const ticket = fc.nat({ max: 5 });
const worker = fc.constantFrom<WorkerName>('A', 'B');

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('create' as const), project: fc.constantFrom<'CR' | 'OPS'>('CR', 'CR', 'CR', 'OPS'), custom: fc.constantFrom(true, true, true, false), days, due, status }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('estimate' as const), ticket, days }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rank' as const), ticket, before: ticket }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('state' as const), ticket, status }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('label' as const), ticket, custom: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('due' as const), ticket, due }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), ticket }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('limit' as const), quarter: fc.constantFrom<'q4' | 'q1'>('q4', 'q1'), limitDays: fc.constantFrom(0, 2, 3, 4, 6, 10) }) },
);

const stepArb: fc.Arbitrary<Step> = fc.record({
  action: actionArb,
  // One delivery mostly; two (the tracker's retry, or a job run twice) a third of the time.
  deliveries: fc.oneof({ weight: 2, arbitrary: fc.tuple(worker) }, { weight: 1, arbitrary: fc.tuple(worker, worker) }),
});

const limit = fc.option(fc.constantFrom(0, 2, 3, 4, 6, 10), { nil: null, freq: 5 });

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  limits: fc.record({ crQ4: limit, crQ1: limit }),
  // Always start with two or three custom requests in one pool, so that there is something to share.
  steps: fc
    .tuple(
      fc.array(fc.record({ action: fc.record({ kind: fc.constant('create' as const), project: fc.constant('CR' as const), custom: fc.constant(true), days, due: fc.constant('q4' as Due), status }), deliveries: fc.tuple(worker) }), { minLength: 2, maxLength: 3 }),
      fc.array(stepArb, { minLength: 3, maxLength: 12 }),
    )
    .map(([first, rest]) => [...(first as Step[]), ...rest]),
  writeBackWorkers: fc.array(worker, { minLength: 1, maxLength: 6 }),
});

// ---------------------------------------------------------------------------------------------
// Interleaving: every I/O call of a worker waits on a scheduled promise; one is released at a time.

/**
 * Counts the tasks that are running (not parked at a scheduled point). The scheduler's `act`
 * releases the next parked call only when none is running, so the set it picks from, and hence the
 * run, depends only on the scheduler's choices.
 */
class Tasks {
  private running = 0;
  private live = 0;
  private quietWaiters: Array<() => void> = [];
  private doneWaiters: Array<() => void> = [];
  readonly errors: string[] = [];
  steps = 0;
  scheduler: fc.Scheduler | null = null;

  spawn(label: string, task: () => Promise<unknown>): void {
    this.running++;
    this.live++;
    void Promise.resolve()
      .then(task)
      .catch((err: unknown) => {
        this.errors.push(`${label}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      })
      .finally(() => {
        this.running--;
        this.live--;
        this.notify();
      });
  }

  /** Parks the calling task until the scheduler picks it. */
  gate(label: string): Promise<void> {
    if (!this.scheduler) throw new Error('no scheduler');
    const released = this.scheduler.schedule(Promise.resolve(), label);
    this.running--;
    if (this.running < 0) this.errors.push(`a task parked at ${label} while parked elsewhere: gate calls must not run in parallel`);
    this.notify();
    return released.then(() => undefined);
  }

  /** The scheduler's act: wait until every task is parked, release one, wait until it parks again. */
  readonly act = async (release: () => Promise<void>): Promise<void> => {
    await this.quiet();
    this.running++;
    this.steps++;
    await release();
    await this.quiet();
  };

  describe() {
    return { running: this.running, live: this.live, steps: this.steps, errors: this.errors.length };
  }

  quiet(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.quietWaiters.push(resolve));
  }

  done(): Promise<void> {
    if (this.live === 0) return Promise.resolve();
    return new Promise((resolve) => this.doneWaiters.push(resolve));
  }

  private notify(): void {
    if (this.running === 0) for (const w of this.quietWaiters.splice(0)) w();
    if (this.live === 0) for (const w of this.doneWaiters.splice(0)) w();
  }
}

/** The object with each method call parked at a scheduled point first. */
function gated<T extends object>(target: T, label: string, tasks: Tasks): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await tasks.gate(`${label}.${String(prop)}`);
        return (value as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
  });
}

// ---------------------------------------------------------------------------------------------

describe('ledger model: two workers, any interleaving, same ledger as the sequential reference', () => {
  let sandbox: JiraSandbox;
  let sandboxUrl: string;
  let current: Tasks = new Tasks();
  const totals = { runs: 0, actions: 0, limits: 0, poolWriteBacks: 0, deliveries: 0, redeliveries: 0, bursts: 0, echoes: 0, writeBacks: 0, written: 0, locked: 0, gone: 0, steps: 0, ticketsChecked: 0, poolsChecked: 0 };

  beforeAll(async () => {
    sandbox = createJiraSandbox({ webhookJitterMs: 0 });
    sandboxUrl = await sandbox.listen(0);
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  function configFor(prefix: string): ConfigFile {
    return configFileSchema.parse({
      adminTokens: [{ token: 'model-test-admin-token-0123456789', role: 'admin' }],
      tenants: [
        { id: TENANT, tracker: 'jira', baseUrl: sandboxUrl, email: sandbox.users.bot.email, apiToken: sandbox.users.bot.apiToken, webhookSecret: SECRET },
      ],
      worker: { concurrency: 4, coalesceMs: 0 },
      reconcile: { intervalMinutes: 0 },
      redisKeyPrefix: prefix,
    });
  }

  /** One worker process: its own runtime (Redis connections, tracker client), every call gated. */
  function workerDeps(
    name: WorkerName,
    runtime: Runtime,
    config: ConfigFile,
    tasks: Tasks,
    onWriteBackQueued: (by: WorkerName, ticketId: string) => void,
    onPoolWriteBackQueued: (by: WorkerName, poolId: string) => void,
  ): WorkerDeps {
    const contexts = new Map<string, TenantContext>();
    const tenants: TenantRegistry = {
      get(id) {
        const inner = runtime.tenants.get(id);
        if (!inner) return undefined;
        let ctx = contexts.get(id);
        if (!ctx) {
          ctx = { ...inner, client: gated(inner.client, `${name}.tracker`, tasks) };
          contexts.set(id, ctx);
        }
        return ctx;
      },
      all: () => runtime.tenants.all().map((t) => tenants.get(t.id)!),
    };
    // An add is not a scheduled point of its own: enqueueWriteBacks adds its jobs in parallel, and
    // a task parks at one point at a time. The add stays between the store calls around it.
    const queues = reportingAdds(runtime.queues, ({ job, subject }) => {
      if (job === 'tracker.writeback') onWriteBackQueued(name, subject);
      if (job === 'pool.writeback') onPoolWriteBackQueued(name, subject);
    });
    return {
      ...runtime,
      store: gated(runtime.store, `${name}.store`, tasks),
      locks: gated(runtime.locks, `${name}.locks`, tasks),
      tenants,
      queues,
      coalesceMs: config.worker.coalesceMs,
      reconcile: config.reconcile,
    };
  }

  /**
   * How a worker takes its deliveries: `events` one job each (applyTrackerEvent: the events queue,
   * the path of retried and replayed events); `bursts` as the ingest stream's consumer does, every
   * event that reached the worker while it was busy applied as one burst (applyEventBatch).
   */
  type Intake = 'events' | 'bursts';

  async function runScenario(scenario: Scenario, s: fc.Scheduler, tasks: Tasks, intake: Intake): Promise<void> {
    sandbox.reset();
    const prefix = `model-${randomBytes(4).toString('hex')}`;
    const config = configFor(prefix);
    // Each worker caches every pool it reads (by default only pools of 10 requests and more), so
    // the interleavings also race each worker's cached pools against the other's changes.
    const runtimes = [0, 1].map(() =>
      createRuntime({ config, redisUrl: testRedisUrl(), plugins: { jira: jiraPlugin, linear: linearPlugin }, logger: silentLogger(), poolCache: { poolCacheMinRequests: 0 } }),
    );
    const counts = { actions: 0, limits: 0, poolWriteBacks: 0, deliveries: 0, redeliveries: 0, bursts: 0, echoes: 0, writeBacks: 0, written: 0, locked: 0, gone: 0 };
    try {
      const limits = new Map<string, number>();
      if (scenario.limits.crQ4 !== null) limits.set(`CR/${Q4}`, scenario.limits.crQ4);
      if (scenario.limits.crQ1 !== null) limits.set(`CR/${Q1}`, scenario.limits.crQ1);
      for (const [poolId, limitDays] of limits) await runtimes[0]!.store.setPoolSettings(TENANT, poolId, { limitDays, warnAtPercent: 80 });

      // The write-back queue, coalesced per ticket as BullMQ's deduplication does: a ticket queued
      // again before its job started is not queued twice; the job reads the ledger when it runs.
      // (One job per ticket where the worker keeps one per lane: either lane's job writes the whole
      // state, so absorbing both into one is a coarser schedule of the same writes.)
      const pending = new Set<string>();
      let nextWriter = 0;
      const deps: Record<WorkerName, WorkerDeps> = {} as Record<WorkerName, WorkerDeps>;
      // A write-back that finds the ticket locked is put back by the processor and runs again later:
      // here, once the write-back holding the lock has finished.
      const waitingForLock = new Map<string, Array<() => void>>();
      const runWriteBack = (ticketId: string, who: WorkerName, attempt: number): void => {
        tasks.spawn(`write-back ${ticketId} on ${who}${attempt > 0 ? ` (attempt ${attempt + 1})` : ''}`, async () => {
          await tasks.gate(`${who}.writeback.${attempt === 0 ? 'start' : 'retry'}(${ticketId})`);
          let outcome: WriteBackOutcome | null = null;
          try {
            // The job stops absorbing changes once it holds the ticket's lock (a locked one still does).
            outcome = await writeBackTicket(deps[who], { tenant: TENANT, ticketId, onStart: async () => pending.delete(ticketId) });
          } finally {
            // Every outcome but `locked` comes after the lock was taken and given back.
            if (outcome?.kind !== 'locked') for (const retry of waitingForLock.get(ticketId)?.splice(0) ?? []) retry();
          }
          if (outcome.kind === 'locked') {
            counts.locked++;
            if (attempt >= 100) throw new Error(`write-back of ${ticketId} stayed locked`);
            waitingForLock.set(ticketId, [...(waitingForLock.get(ticketId) ?? []), () => runWriteBack(ticketId, who, attempt + 1)]);
            return;
          }
          if (outcome.kind === 'deleted') counts.gone++;
          if (outcome.kind === 'written') {
            counts.written++;
            // Jira sends Pool Guard's own writes back as webhooks: echoes, to be dropped.
            const echo: TrackerEvent = { kind: 'ticket.changed', ticketId, ticketKey: ticketId, actorId: sandbox.users.bot.accountId, updatedAt: Date.now() };
            counts.echoes++;
            tasks.spawn(`echo ${ticketId} on ${who}`, async () => {
              const result = await applyTrackerEvent(deps[who], { tenant: TENANT, event: echo });
              if (result.kind !== 'echo') throw new Error(`own write came back as ${JSON.stringify(result)}`);
            });
          }
        });
      };
      const queueWriteBack = (_by: WorkerName, ticketId: string) => {
        if (pending.has(ticketId)) return;
        pending.add(ticketId);
        counts.writeBacks++;
        runWriteBack(ticketId, scenario.writeBackWorkers[nextWriter++ % scenario.writeBackWorkers.length]!, 0);
      };
      // A pool's figures move: one pool.writeback job, which writes its (small) pool's tickets itself.
      const queuePoolWriteBack = (by: WorkerName, poolId: string) => {
        counts.poolWriteBacks++;
        tasks.spawn(`pool.writeback ${poolId} on ${by}`, async () => {
          await tasks.gate(`${by}.poolwriteback(${poolId})`);
          // One ticket at a time: a task parks at one scheduled point at a time.
          try {
            await writeBackPool(deps[by], deps[by].tenants.get(TENANT)!, poolId, 1);
          } finally {
            // It took and gave back ticket locks: write-backs that found one of them taken run again
            // (one still locked by another write-back waits for that one again).
            for (const waiters of waitingForLock.values()) for (const retry of waiters.splice(0)) retry();
          }
        });
      };
      deps.A = workerDeps('A', runtimes[0]!, config, tasks, queueWriteBack, queuePoolWriteBack);
      deps.B = workerDeps('B', runtimes[1]!, config, tasks, queueWriteBack, queuePoolWriteBack);

      // Bursts: each worker's inbox, taken whole by its one lane when the lane next runs.
      const inbox: Record<WorkerName, TrackerEvent[]> = { A: [], B: [] };
      const laneBusy: Record<WorkerName, boolean> = { A: false, B: false };
      const runLane = (who: WorkerName): void => {
        if (laneBusy[who] || inbox[who].length === 0) return;
        laneBusy[who] = true;
        tasks.spawn(`burst on ${who}`, async () => {
          try {
            await tasks.gate(`${who}.burst`);
            const events = inbox[who].splice(0);
            counts.bursts++;
            // One ticket at a time: a task parks at one scheduled point at a time.
            const outcome = await applyEventBatch(deps[who], TENANT, events, 1);
            if (outcome.kind !== 'applied') throw new Error(`burst: ${outcome.kind}`);
            // Nothing fails here; a deferred event would be a job of its own.
            for (const d of outcome.deferred) await applyTrackerEvent(deps[who], { tenant: TENANT, event: events[d.index]! });
          } finally {
            laneBusy[who] = false;
          }
          runLane(who);
        });
      };
      const deliver = (event: TrackerEvent, to: WorkerName[]) => {
        to.forEach((who, i) => {
          counts.deliveries++;
          if (i > 0) counts.redeliveries++;
          if (intake === 'bursts') {
            inbox[who].push(event);
            runLane(who);
            return;
          }
          tasks.spawn(`${event.kind} ${event.ticketKey} on ${who}`, async () => {
            await tasks.gate(`${who}.deliver(${event.ticketKey}@${event.updatedAt})`);
            await applyTrackerEvent(deps[who], { tenant: TENANT, event });
          });
        });
      };

      // The sales rep: one change after another, each at a point the scheduler chooses.
      const created: string[] = [];
      const alive = () => created.filter((k) => sandbox.issue(k) !== undefined);
      tasks.spawn('sales rep', async () => {
        for (const step of scenario.steps) {
          await tasks.gate(`sales.${step.action.kind}`);
          if (step.action.kind === 'limit') {
            // The admin API stores the setting, then a worker runs the pool.recompute job it queued.
            const poolId = `CR/${step.action.quarter === 'q4' ? Q4 : Q1}`;
            const who = step.deliveries[0]!;
            await deps[who].store.setPoolSettings(TENANT, poolId, { limitDays: step.action.limitDays, warnAtPercent: 80 });
            limits.set(poolId, step.action.limitDays);
            counts.limits++;
            tasks.spawn(`pool.recompute ${poolId} on ${who}`, async () => {
              await tasks.gate(`${who}.recompute(${poolId})`);
              await recomputePool(deps[who], deps[who].tenants.get(TENANT)!, poolId);
            });
            continue;
          }
          const event = perform(step.action, created, alive());
          if (!event) continue;
          counts.actions++;
          deliver(event, step.deliveries);
        }
      });

      // A run is small: one that does not finish in RUN_TIMEOUT_MS is stuck; say where.
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`run stuck: ${JSON.stringify(tasks.describe())}, ${s.count()} parked:\n${s.report().filter((r) => r.status === 'pending').map((r) => r.label).join('\n')}`)), RUN_TIMEOUT_MS);
      });
      try {
        await Promise.race([s.waitFor(tasks.done()), stuck]);
      } finally {
        clearTimeout(timer);
      }
      expect(tasks.errors).toEqual([]);
      expect({ stillWaitingForALock: [...waitingForLock.entries()].filter(([, w]) => w.length > 0).map(([id]) => id) }).toEqual({ stillWaitingForALock: [] });

      // ---- the reference: the pure domain over the sandbox's final tickets ----
      const truth = groundTruth(sandbox, limits, DEFAULT_RULES, 80);
      expect(differences(sandbox, truth, sandbox.users.bot.accountId)).toEqual([]);

      const modelPools = new Map<string, PoolRequest[]>();
      for (const issue of sandbox.issues()) {
        const request = toPoolRequest(sandboxTicket(issue), DEFAULT_RULES);
        if (request) modelPools.set(poolIdOf(request), [...(modelPools.get(poolIdOf(request)) ?? []), request]);
      }
      const store = runtimes[0]!.store;
      const tenant = runtimes[0]!.tenants.get(TENANT)!;
      const poolIds = new Set([...modelPools.keys(), ...(await store.listPoolIds(TENANT))]);
      for (const poolId of poolIds) {
        const snapshot = await store.readPool(TENANT, poolId);
        const model = modelPools.get(poolId) ?? [];
        expect({ pool: poolId, requests: comparable(snapshot.requests) }).toEqual({ pool: poolId, requests: comparable(model) });
        const expected = admitRequests({ limitDays: limits.get(poolId) ?? null, warnAtPercent: 80 }, model);
        expect({ pool: poolId, outcome: snapshot.outcome?.outcome ?? null, committedAt: snapshot.outcome?.version ?? null }).toEqual({ pool: poolId, outcome: expected, committedAt: snapshot.version });
        expect(admitRequests(settingsOf(snapshot, tenant), snapshot.requests).usedDays).toBe(truth.usedDays.get(poolId) ?? 0);
      }
      expect(await store.dirtyPoolIds(TENANT)).toEqual([]);
      totals.ticketsChecked += sandbox.issues().length;
      totals.poolsChecked += poolIds.size;
    } finally {
      totals.runs++;
      for (const [k, v] of Object.entries(counts)) totals[k as keyof typeof counts] += v;
      await runtimes[0]!.queues.writeback.obliterate({ force: true }).catch(() => undefined);
      await deleteKeys(runtimes[0]!, prefix);
      await Promise.all(runtimes.map((r) => r.close()));
    }
  }

  const property = (intake: Intake = 'events') =>
    fc.asyncProperty(scenarioArb, fc.scheduler({ act: (f) => current.act(f) }), async (scenario, s) => {
      current = new Tasks();
      current.scheduler = s;
      try {
        await runScenario(scenario, s, current, intake);
      } finally {
        totals.steps += current.steps;
      }
    });

  it('converges to the reference for every interleaving tried', async () => {
    const started = Date.now();
    // A fixed seed by default, so that CI runs the same 50 scenarios every time; explore new ones
    // with POOLGUARD_MODEL_SEED=random (or a number), and replay one with POOLGUARD_MODEL_PATH.
    const seedVar = process.env.POOLGUARD_MODEL_SEED ?? String(DEFAULT_SEED);
    await fc.assert(property(), {
      numRuns: NUM_RUNS,
      endOnFailure: !process.env.POOLGUARD_MODEL_SHRINK,
      ...(seedVar === 'random' ? {} : { seed: Number(seedVar) }),
      ...(process.env.POOLGUARD_MODEL_PATH ? { path: process.env.POOLGUARD_MODEL_PATH } : {}),
    });
    process.stdout.write(
      `ledger model: ${totals.runs} runs, ${totals.actions} tracker changes, ${totals.limits} pool limits set, ${totals.deliveries} deliveries to 2 workers (${totals.redeliveries} redeliveries), ` +
        `${totals.writeBacks} write-back jobs (${totals.written} wrote, ${totals.locked} found the ticket locked, ${totals.gone} for a deleted ticket), ${totals.poolWriteBacks} pool write-backs, ${totals.echoes} echoes, ` +
        `${totals.steps} scheduled steps, ${totals.ticketsChecked} tickets and ${totals.poolsChecked} pools compared, differences: 0, ${Date.now() - started} ms\n`,
    );
  }, 180_000);

  it('converges when the workers take their deliveries in bursts, as from the ingest stream', async () => {
    const started = Date.now();
    const before = { ...totals };
    const seedVar = process.env.POOLGUARD_MODEL_SEED ?? String(DEFAULT_SEED + 1);
    await fc.assert(property('bursts'), {
      numRuns: NUM_RUNS,
      endOnFailure: !process.env.POOLGUARD_MODEL_SHRINK,
      ...(seedVar === 'random' ? {} : { seed: Number(seedVar) }),
      ...(process.env.POOLGUARD_MODEL_PATH ? { path: process.env.POOLGUARD_MODEL_PATH } : {}),
    });
    const runs = totals.runs - before.runs;
    const deliveries = totals.deliveries - before.deliveries;
    const bursts = totals.bursts - before.bursts;
    process.stdout.write(
      `ledger model, bursts: ${runs} runs, ${totals.actions - before.actions} tracker changes, ${deliveries} deliveries in ${bursts} bursts ` +
        `(${(deliveries / Math.max(1, bursts)).toFixed(2)} per burst), ${totals.written - before.written} write-backs wrote, ` +
        `${totals.ticketsChecked - before.ticketsChecked} tickets and ${totals.poolsChecked - before.poolsChecked} pools compared, differences: 0, ${Date.now() - started} ms\n`,
    );
    // Bursts of more than one event happened, or the test showed nothing new.
    expect(deliveries).toBeGreaterThan(bursts);
  }, 180_000);

  // Found 2026-11-27 by a random seed in CI: worker B stored its read of a ticket whose custom label
  // had just been removed (a ticket it had never counted left no trace in the ledger), then its
  // older read of the same ticket, taken while it was still a custom request, counted it again.
  it('regression: replay of seed 245159287 path 26 (a late, older read counted a ticket whose label was removed)', async () => {
    await fc.assert(property(), { seed: 245159287, path: '26', endOnFailure: true });
  }, 60_000);

  /** Does one action in the sandbox; returns the webhook event it causes (null when it cannot apply). */
  function perform(action: Action, created: string[], alive: string[]): TrackerEvent | null {
    const sales = { as: 'sales' } as const;
    const changed = (key: string): TrackerEvent => {
      const issue = sandbox.issue(key)!;
      return { kind: 'ticket.changed', ticketKey: issue.key, ticketId: issue.id, actorId: sandbox.users.sales.accountId, updatedAt: issue.updatedMs };
    };
    if (action.kind === 'create') {
      const issue = sandbox.createIssue(
        {
          project: action.project,
          summary: `Request ${created.length + 1}`,
          labels: action.custom ? ['custom-request'] : ['roadmap'],
          originalEstimate: action.days === null ? null : action.days * 8 * 3600,
          dueDate: DUE[action.due] ?? null,
          status: action.status,
        },
        sales,
      );
      created.push(issue.key);
      return changed(issue.key);
    }
    if (action.kind === 'limit' || alive.length === 0) return null; // a limit is not a tracker change (the caller handles it)
    const key = alive[action.ticket % alive.length]!;
    switch (action.kind) {
      case 'estimate':
        sandbox.editIssue(key, { originalEstimate: action.days === null ? null : action.days * 8 * 3600 }, sales);
        return changed(key);
      case 'rank': {
        const other = alive[action.before % alive.length]!;
        if (other === key) return null;
        sandbox.rankIssue(key, { before: other }, sales);
        return changed(key);
      }
      case 'state':
        sandbox.transitionIssue(key, action.status, sales);
        return changed(key);
      case 'label':
        sandbox.editIssue(key, { labels: action.custom ? { add: ['custom-request'] } : { remove: ['custom-request'] } }, sales);
        return changed(key);
      case 'due':
        sandbox.editIssue(key, { dueDate: DUE[action.due] ?? null }, sales);
        return changed(key);
      case 'delete': {
        const issue = sandbox.issue(key)!;
        sandbox.deleteIssue(key, sales);
        // Jira's issue_deleted carries the issue as it was, with its last `updated`.
        return { kind: 'ticket.deleted', ticketKey: issue.key, ticketId: issue.id, actorId: sandbox.users.sales.accountId, updatedAt: issue.updatedMs };
      }
      default: {
        const _exhaustive: never = action;
        throw new Error(`unknown action ${JSON.stringify(_exhaustive)}`);
      }
    }
  }
});

/** A pool's requests in a stable order, without `updatedAt` (Pool Guard's own writes move it on). */
function comparable(requests: readonly PoolRequest[]) {
  return [...requests]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map(({ updatedAt: _updatedAt, ...rest }) => rest);
}

async function deleteKeys(runtime: Runtime, prefix: string): Promise<void> {
  const redis = runtime.redis as import('ioredis').Redis;
  let cursor = '0';
  for (let i = 0; i < 1000; i++) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
}
