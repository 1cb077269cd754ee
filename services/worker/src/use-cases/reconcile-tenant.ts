import { hostname } from 'node:os';
import {
  admitRequests,
  nextQuarter,
  previousQuarter,
  poolIdOf,
  quarterOf,
  quarterRange,
  samePoolRequest,
  toPoolRequest,
  type PoolRequest,
  type QuarterId,
  type QuarterWithRoom,
} from '@pool-guard/shared/domain';
import { reconcileSettingsOf, type ReconcileSettings } from '@pool-guard/shared/config';
import { splitPoolId, type SweepHolder, type SweepReport } from '@pool-guard/shared/store';
import { isTrackerError, TrackerError, type TenantContext, type TicketMarks } from '@pool-guard/shared/tracker';
import { applyObservedTicket, readTicket, settleTouchedPools, type ObservedTicket } from './apply-tracker-event.js';
import { desiredStateOf, planWriteBack } from './desired-writes.js';
import { enqueueWriteBacks } from './enqueue-write-backs.js';
import { findDrift } from './find-drift.js';
import { settingsOf } from './recompute-pool.js';
import { nextQuarterWithRoom } from './write-back-ticket.js';
import type { WorkerDeps } from '../worker-deps.js';

/** The sweep's lease on its tenant: renewed every quarter of this while the sweep runs. */
const LEASE_TTL_MS = 60_000;
/** Tickets per listing page (Jira and Linear both allow 100 with the fields a sweep reads). */
const PAGE_SIZE = 100;
/** Errors listed in the report; the rest are only counted. */
const MAX_LISTED_ERRORS = 20;
/** A rate limit longer than this fails the sweep (the next one starts over) instead of waiting. */
const MAX_RATE_LIMIT_WAIT_MS = 5 * 60_000;

export type SweepPhase = 'listing' | 'refetching' | 'recomputing' | 'checking' | 'done';

export interface ReconcileInput {
  tenant: string;
  trigger: SweepReport['trigger'];
  /** Quarters to sweep; absent = the tenant's configured window around today. */
  quarters?: { from: QuarterId; to: QuarterId } | undefined;
  /** Stops the sweep between two tickets; it reports what it did as `interrupted`. */
  signal?: AbortSignal | undefined;
  /** Who runs it (shown to a second sweep that finds the tenant busy). */
  owner?: string | undefined;
  /** Called as the sweep goes (after each page, each phase) with the report so far. */
  onProgress?: ((report: Readonly<SweepReport>, phase: SweepPhase) => void) | undefined;
}

export type ReconcileOutcome =
  | { kind: 'unknown_tenant' }
  /** Another sweep of this tenant is running (one per tenant at a time). */
  | { kind: 'busy'; holder: SweepHolder | null }
  | { kind: 'swept'; report: SweepReport };

/** The quarters a scheduled sweep checks: `lookbackQuarters` before today's, `lookaheadQuarters` after. */
export function sweepWindow(nowMs: number, settings: ReconcileSettings, fiscalYearStartMonth: number): { from: QuarterId; to: QuarterId } {
  const current = quarterOf(new Date(nowMs).toISOString(), fiscalYearStartMonth);
  return { from: previousQuarter(current, settings.lookbackQuarters), to: nextQuarter(current, settings.lookaheadQuarters) };
}

/**
 * One reconcile sweep of a tenant: makes the ledger and the tickets of the given quarters agree
 * with the tracker, whatever webhooks were lost.
 *
 * 1. Lists the tenant's custom requests page by page and applies each one in the quarters to the
 *    ledger exactly as an event's re-read would (an older read than the ledger's is ignored).
 * 2. Re-reads each request the ledger holds in those quarters that the listing did not return:
 *    deleted, no longer custom, or moved to another quarter, it is applied as such.
 * 3. Recomputes the pools that changed (and any left dirty).
 * 4. Compares every request's marks as listed with what Pool Guard last wrote; a part someone
 *    changed (pool label, badge, comment) is forgotten, so the write-back writes it again. Then
 *    queues a write-back for every ticket whose label, badge or comment is not what it should be.
 *
 * Safe while webhooks flow and while other tenants are swept: every ledger write is the usual
 * compare-and-set, and a lease in Redis keeps one sweep per tenant. Idempotent: a second sweep
 * finds nothing to do.
 */
export async function reconcileTenant(deps: WorkerDeps, input: ReconcileInput): Promise<ReconcileOutcome> {
  const tenant = deps.tenants.get(input.tenant);
  if (!tenant) return { kind: 'unknown_tenant' };
  const now = deps.now ?? Date.now;
  const settings = reconcileSettingsOf({ reconcile: deps.reconcile }, tenant.config);
  const quarters = input.quarters ?? sweepWindow(now(), settings, tenant.config.fiscalYearStartMonth);

  const owner = input.owner ?? `${input.trigger} ${hostname()}:${process.pid}`;
  const lease = await deps.sweeps.acquire(tenant.id, owner, LEASE_TTL_MS);
  if (!lease) return { kind: 'busy', holder: await deps.sweeps.holder(tenant.id) };

  const startedAt = now();
  const report: SweepReport = {
    tenant: tenant.id,
    trigger: input.trigger,
    quarters,
    status: 'running',
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: null,
    durationMs: null,
    ticketsSeen: 0,
    ticketsInRange: 0,
    ticketsRefetched: 0,
    ledger: { added: 0, updated: 0, deleted: 0, excluded: 0, movedOut: 0 },
    poolsRecomputed: 0,
    writeBacksQueued: 0,
    drift: { labels: 0, badges: 0, comments: 0 },
    errorCount: 0,
    errors: [],
  };
  // The lease is renewed in the background; losing it (a long Redis outage) stops the sweep.
  const stop = new AbortController();
  const onAbort = () => stop.abort(input.signal?.reason);
  input.signal?.addEventListener('abort', onAbort, { once: true });
  if (input.signal?.aborted) stop.abort(input.signal.reason);
  const renewal = setInterval(() => {
    lease.renew().then(
      (held) => {
        if (held || stop.signal.aborted) return;
        noteError(report, null, 'the sweep lease was lost (another sweep may have started); stopped');
        stop.abort(new Error('sweep lease lost'));
      },
      () => undefined,
    );
  }, LEASE_TTL_MS / 4);
  renewal.unref();

  let failure: unknown = null;
  try {
    await deps.sweeps.saveRunning(tenant.id, report);
    await new Sweep(deps, tenant, report, stop.signal, input.onProgress).run();
    report.status = stop.signal.aborted ? 'interrupted' : 'completed';
  } catch (err) {
    if (err instanceof SweepStopped) {
      report.status = 'interrupted';
    } else {
      report.status = 'failed';
      noteError(report, null, (err as Error).message);
      failure = err;
    }
  } finally {
    clearInterval(renewal);
    input.signal?.removeEventListener('abort', onAbort);
    const finishedAt = now();
    report.finishedAt = new Date(finishedAt).toISOString();
    report.durationMs = finishedAt - startedAt;
    try {
      await deps.sweeps.saveFinished(tenant.id, report);
    } finally {
      await lease.release();
    }
  }
  const log = report.status === 'completed' ? deps.logger.info.bind(deps.logger) : deps.logger.warn.bind(deps.logger);
  log({ tenant: tenant.id, sweep: summaryOf(report) }, `reconcile sweep ${report.status}`);
  input.onProgress?.(report, 'done');
  // Tracker trouble is in the report; anything else (Redis gone, a bug) fails the job too.
  if (failure !== null && !isTrackerError(failure)) throw failure;
  return { kind: 'swept', report };
}

/** The report's counts on one line, for logs. */
export function summaryOf(r: SweepReport): string {
  const l = r.ledger;
  return (
    `${r.ticketsSeen} tickets seen (${r.ticketsInRange} in ${r.quarters.from}..${r.quarters.to}), ${r.ticketsRefetched} re-read; ` +
    `ledger +${l.added} ~${l.updated} deleted ${l.deleted} excluded ${l.excluded} moved out ${l.movedOut}; ` +
    `${r.poolsRecomputed} pools recomputed; drift: ${r.drift.labels} labels, ${r.drift.badges} badges, ${r.drift.comments} comments; ` +
    `${r.writeBacksQueued} write-backs; ${r.errorCount} errors`
  );
}

/** Thrown inside a sweep when it was told to stop while waiting. */
class SweepStopped extends Error {
  override readonly name = 'SweepStopped';
}

function noteError(report: SweepReport, ticket: string | null, message: string): void {
  report.errorCount++;
  if (report.errors.length < MAX_LISTED_ERRORS) report.errors.push({ ticket, message });
}

/** What the listing showed of one request in the swept quarters. */
interface Shown {
  labels: string[];
  marks: TicketMarks | undefined;
}

class Sweep {
  private readonly range: ReadonlySet<QuarterId>;
  /** Requests in the swept quarters, by ticket id, as the listing returned them. */
  private readonly shown = new Map<string, Shown>();
  /** Pools a ledger change touched. */
  private readonly touched = new Set<string>();
  /** Tickets that need a write-back (each counted once). */
  private readonly writeBacks = new Set<string>();
  /** Later quarters with room, by pool and size (many waiting requests of one pool ask the same). */
  private readonly rooms = new Map<string, Promise<QuarterWithRoom | null>>();

  constructor(
    private readonly deps: WorkerDeps,
    private readonly tenant: TenantContext,
    private readonly report: SweepReport,
    private readonly signal: AbortSignal,
    private readonly onProgress: ReconcileInput['onProgress'],
  ) {
    this.range = new Set(quarterRange(report.quarters.from, report.quarters.to));
  }

  async run(): Promise<void> {
    const ledgerBefore = await this.requestsInRange();
    await this.list(ledgerBefore);
    if (this.signal.aborted) return this.settleWhatWasDone();
    await this.refetchUnlisted();
    await this.settleWhatWasDone();
    if (this.signal.aborted) return;
    await this.checkMarks();
  }

  /** Pool id of every request the ledger holds in the swept quarters, by ticket id. */
  private async requestsInRange(): Promise<Map<string, PoolRequest>> {
    const byId = new Map<string, PoolRequest>();
    const poolIds = (await this.deps.store.listPoolIds(this.tenant.id)).filter((p) => this.range.has(splitPoolId(p).quarter));
    for (const snapshot of await this.deps.store.readPools(this.tenant.id, poolIds)) {
      for (const r of snapshot.requests) byId.set(r.id, r);
    }
    return byId;
  }

  private async list(ledgerBefore: ReadonlyMap<string, PoolRequest>): Promise<void> {
    const { rules } = this.tenant;
    let cursor: string | null = null;
    do {
      const page = await this.tracker(() =>
        this.tenant.client.listTickets({
          scopes: [],
          labels: [...rules.labels],
          issueTypes: [...rules.issueTypes],
          updatedSince: null,
          cursor,
          pageSize: PAGE_SIZE,
          withMarks: true,
        }),
      );
      for (const ticket of page.tickets) {
        if (this.signal.aborted) return;
        this.report.ticketsSeen++;
        let quarter: QuarterId | null;
        try {
          quarter = toPoolRequest(ticket, rules)?.quarter ?? null;
        } catch (err) {
          noteError(this.report, ticket.key, `cannot read ${ticket.key}: ${(err as Error).message}`);
          continue;
        }
        const inRange = quarter !== null && this.range.has(quarter);
        // Outside the swept quarters, a ticket matters only when it leaves them.
        if (!inRange && !ledgerBefore.has(ticket.id)) continue;
        if (inRange) {
          if (!this.shown.has(ticket.id)) this.report.ticketsInRange++;
          this.shown.set(ticket.id, { labels: ticket.labels, marks: page.marks?.get(ticket.id) });
        }
        await this.apply({ ticketId: ticket.id, ticketKey: ticket.key, ticket });
      }
      cursor = page.nextCursor;
      await this.progress('listing');
    } while (cursor !== null && !this.signal.aborted);
  }

  /** Requests the ledger holds in the swept quarters that the listing did not return: read each. */
  private async refetchUnlisted(): Promise<void> {
    const unlisted = [...(await this.requestsInRange()).values()].filter((r) => !this.shown.has(r.id));
    for (const request of unlisted) {
      if (this.signal.aborted) return;
      this.report.ticketsRefetched++;
      const ticket = await this.tracker(() => readTicket(this.deps, this.tenant, request.id));
      // Gone: deleted as of now (never before the version the ledger holds), so that a Linear issue
      // restored from the trash later counts again, as after a webhook that carries a date.
      const deletedAt = ticket === null ? new Date(Math.max(Date.now(), Date.parse(request.updatedAt) + 1)).toISOString() : null;
      await this.apply({ ticketId: request.id, ticketKey: request.key, ticket, ...(deletedAt ? { deletedAt } : {}) });
      if (this.report.ticketsRefetched % 20 === 0) await this.progress('refetching');
    }
    await this.progress('refetching');
  }

  private async apply(observed: ObservedTicket): Promise<void> {
    let result;
    try {
      result = await applyObservedTicket(this.deps, this.tenant, observed);
    } catch (err) {
      if (isTrackerError(err)) throw err;
      noteError(this.report, observed.ticketKey, `cannot apply ${observed.ticketKey}: ${(err as Error).message}`);
      return;
    }
    if (!result.applied) return;
    for (const p of result.affectedPools) this.touched.add(p);
    const { previous, next } = result;
    // A newer version of the same request (a comment, Pool Guard's own write): the ledger learns
    // the version, the pool is recomputed (nothing changes), and there is nothing to report.
    if (previous && next && samePoolRequest({ ...previous, updatedAt: '' }, { ...next, updatedAt: '' })) return;
    // A ticket that did not count and still does not: the ledger only learned its version.
    if (!result.deleted && previous === null && next === null) return;
    const { ledger } = this.report;
    if (result.deleted) ledger.deleted++;
    else if (result.next === null) ledger.excluded++;
    else if (result.previous === null) ledger.added++;
    else if (!this.range.has(result.next.quarter)) ledger.movedOut++;
    else ledger.updated++;
    // As after an event: the ticket itself gets a look (it may have left its pool).
    if (!result.deleted) this.writeBacks.add(observed.ticketId);
  }

  private async settleWhatWasDone(): Promise<void> {
    await this.progress('recomputing');
    const settled = await settleTouchedPools(this.deps, this.tenant, this.touched);
    this.report.poolsRecomputed = settled.pools.length;
    // Recomputing queued these already.
    const queued = new Set(settled.changedTicketIds);
    const rest = [...this.writeBacks].filter((id) => !queued.has(id));
    await enqueueWriteBacks(this.deps, this.tenant.id, rest);
    for (const id of queued) this.writeBacks.add(id);
    this.report.writeBacksQueued = this.writeBacks.size;
  }

  /**
   * For every request of the swept quarters: repair marks someone changed, and queue a write-back
   * where the ticket does not show what it should (a write-back lost, or one just made necessary).
   */
  private async checkMarks(): Promise<void> {
    await this.progress('checking');
    const poolIds = (await this.deps.store.listPoolIds(this.tenant.id)).filter((p) => this.range.has(splitPoolId(p).quarter));
    const due: string[] = [];
    for (const poolId of poolIds) {
      const snapshot = await this.deps.store.readPool(this.tenant.id, poolId);
      const outcome = admitRequests(settingsOf(snapshot, this.tenant), snapshot.requests);
      const states = new Map(outcome.entries.map((e) => [e.key, e.state]));
      for (const request of snapshot.requests) {
        if (this.signal.aborted) return;
        let written = await this.deps.store.getWritten(this.tenant.id, request.id);
        const shown = this.shown.get(request.id);
        const drift = shown ? findDrift(shown, written) : [];
        if (drift.length > 0 && (await this.forget(request.id, drift))) {
          this.report.drift.labels += drift.includes('label') ? 1 : 0;
          this.report.drift.badges += drift.includes('badge') ? 1 : 0;
          this.report.drift.comments += drift.includes('comment') ? 1 : 0;
          written = await this.deps.store.getWritten(this.tenant.id, request.id);
        }
        const state = states.get(request.key);
        if (state === undefined) continue;
        const room = state === 'over-limit' ? await this.roomFor(request) : null;
        const plan = planWriteBack({ key: request.key, id: request.id }, desiredStateOf(outcome, request, room), written);
        if (plan && !this.writeBacks.has(request.id)) {
          this.writeBacks.add(request.id);
          due.push(request.id);
        }
      }
    }
    await enqueueWriteBacks(this.deps, this.tenant.id, due);
    this.report.writeBacksQueued = this.writeBacks.size;
    await this.progress('checking');
  }

  /**
   * Forgets what Pool Guard last wrote for the drifted parts, under the ticket's write lock so a
   * running write-back cannot put the record back. A ticket being written now is left to the next
   * sweep (its write-back may be repairing it already).
   */
  private async forget(ticketId: string, parts: Parameters<WorkerDeps['store']['forgetWritten']>[2]): Promise<boolean> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const release = await this.deps.locks.acquire(this.tenant.id, ticketId, 10_000);
      if (release) {
        try {
          await this.deps.store.forgetWritten(this.tenant.id, ticketId, parts);
          return true;
        } finally {
          await release();
        }
      }
      await sleep(100, this.signal);
    }
    return false;
  }

  private roomFor(request: PoolRequest): Promise<QuarterWithRoom | null> {
    const key = `${poolIdOf(request)}|${request.days}`;
    let room = this.rooms.get(key);
    if (!room) {
      room = nextQuarterWithRoom(this.deps, this.tenant, request);
      this.rooms.set(key, room);
    }
    return room;
  }

  private async progress(phase: SweepPhase): Promise<void> {
    this.onProgress?.(this.report, phase);
    await this.deps.sweeps.saveRunning(this.tenant.id, this.report);
  }

  /**
   * A tracker call with the worker's manners: it waits while the tenant's tracker is paused, waits
   * out a rate limit (and pauses the tenant for the other jobs), and retries transient errors a few
   * times. Other errors (credentials, permissions) end the sweep.
   */
  private async tracker<T>(call: () => Promise<T>): Promise<T> {
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      const pausedUntil = await this.deps.throttle.pausedUntil(this.tenant.id);
      if (pausedUntil > 0) {
        const ms = pausedUntil - Date.now();
        waited += ms;
        if (waited > MAX_RATE_LIMIT_WAIT_MS) throw new TrackerError('rate_limited', `the tracker of ${this.tenant.id} stayed paused for over ${MAX_RATE_LIMIT_WAIT_MS / 60_000} minutes`, ms);
        await sleep(ms, this.signal);
      }
      if (this.signal.aborted) throw new SweepStopped('stopped while waiting for the tracker');
      try {
        return await call();
      } catch (err) {
        if (!isTrackerError(err)) throw err;
        if (err.kind === 'rate_limited') {
          const ms = Math.max(250, err.waitMs);
          await this.deps.throttle.pauseUntil(this.tenant.id, Date.now() + ms);
          continue;
        }
        if (err.kind === 'transient' && attempt < 4) {
          await sleep(500 * 2 ** attempt, this.signal);
          continue;
        }
        throw err;
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
