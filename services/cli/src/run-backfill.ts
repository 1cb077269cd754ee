/**
 * The backfill: one reconcile sweep of one tenant, run in this process with the worker's own
 * use-case, then the write-backs it found due, also in this process. Works whether the service
 * runs or not: the sweep lease keeps it from overlapping a scheduled sweep, per-ticket locks keep
 * its write-backs from racing the workers', and anything it cannot finish goes to the queue.
 */
import { reconcileSettingsOf, type ConfigFile } from '@pool-guard/shared/config';
import type { Logger } from '@pool-guard/shared/logging';
import type { JobData, JobName, PoolGuardQueues } from '@pool-guard/shared/queue';
import type { Runtime } from '@pool-guard/shared/runtime';
import type { SweepReport } from '@pool-guard/shared/store';
import { reconcileTenant, sweepWindow, type WorkerDeps } from '@pool-guard/worker';
import type { BackfillArgs } from './backfill-args.js';
import { createProgressBar } from './progress-bar.js';
import { runWriteBacks, type WriteBacksResult } from './run-write-backs.js';

/** Exit codes: 0 all done, 1 failed or some tickets not repaired, 75 the tenant stayed busy, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, usage: 2, busy: 75, interrupted: 130 } as const;

export interface BackfillResult {
  exitCode: number;
  report: SweepReport | null;
  writeBacks: WriteBacksResult | null;
  /** Write-backs handed to the queue (interrupted, or a worker held the ticket). */
  queued: number;
}

export interface RunBackfillOptions {
  args: BackfillArgs;
  config: Readonly<ConfigFile>;
  runtime: Runtime;
  logger: Logger;
  signal: AbortSignal;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export async function runBackfill(options: RunBackfillOptions): Promise<BackfillResult> {
  const { args, config, runtime, signal, stderr } = options;
  const tenant = runtime.tenants.get(args.tenant);
  if (!tenant) throw new Error(`unknown tenant ${args.tenant}`); // checked by the caller
  const quarters =
    args.quarters ?? sweepWindow(Date.now(), reconcileSettingsOf(config, tenant.config), tenant.config.fiscalYearStartMonth);
  const label = `${tenant.id} ${quarters.from}..${quarters.to}`;
  const bar = createProgressBar({ stream: stderr, label });

  // Write-backs the sweep asks for are done here, after it, instead of waiting for a worker.
  const due = new Set<string>();
  const queues: PoolGuardQueues = {
    ...runtime.queues,
    async add<N extends JobName>(name: N, data: JobData<N>, jobOptions?: Parameters<PoolGuardQueues['add']>[2]) {
      if (name === 'tracker.writeback' && (data as JobData<'tracker.writeback'>).tenant === tenant.id) {
        due.add((data as JobData<'tracker.writeback'>).ticketId);
        return;
      }
      // A recompute that changed many tickets asks for its whole pool instead (see recomputePool).
      if (name === 'pool.writeback' && (data as JobData<'pool.writeback'>).tenant === tenant.id) {
        const snapshot = await runtime.store.readPool(tenant.id, (data as JobData<'pool.writeback'>).poolId);
        for (const request of snapshot.requests) due.add(request.id);
        return;
      }
      await runtime.queues.add(name, data, jobOptions);
    },
  };
  const deps: WorkerDeps = { ...runtime, logger: options.logger, queues, coalesceMs: config.worker.coalesceMs, reconcile: config.reconcile };

  const ledgerChanges = (r: SweepReport) => r.ledger.added + r.ledger.updated + r.ledger.deleted + r.ledger.excluded + r.ledger.movedOut;
  let report: SweepReport | null = null;
  const deadline = Date.now() + args.waitSeconds * 1000;
  for (let announced = false; ; ) {
    const outcome = await reconcileTenant(deps, {
      tenant: tenant.id,
      trigger: 'backfill',
      quarters,
      signal,
      owner: `backfill (${process.env.USER ?? 'someone'} on pid ${process.pid})`,
      onProgress: (r, phase) => {
        if (phase !== 'done') bar.update({ phase, ticketsSeen: r.ticketsSeen, repaired: ledgerChanges(r) });
      },
    });
    if (outcome.kind === 'swept') {
      report = outcome.report;
      break;
    }
    if (outcome.kind === 'unknown_tenant') throw new Error(`unknown tenant ${tenant.id}`);
    if (signal.aborted) {
      bar.end();
      return { exitCode: EXIT.interrupted, report: null, writeBacks: null, queued: 0 };
    }
    if (Date.now() >= deadline) {
      bar.end();
      const who = outcome.holder ? ` (${outcome.holder.owner}, since ${outcome.holder.since})` : '';
      stderr.write(`Another sweep of ${tenant.id} is still running${who}; try again when it is done, or pass --wait.\n`);
      return { exitCode: EXIT.busy, report: null, writeBacks: null, queued: 0 };
    }
    if (!announced) {
      const who = outcome.holder ? ` (${outcome.holder.owner}, since ${outcome.holder.since})` : '';
      bar.note(`Another sweep of ${tenant.id} is running${who}; waiting up to ${args.waitSeconds} s for it to finish...`);
      announced = true;
    }
    bar.update({ phase: 'waiting', ticketsSeen: 0, repaired: 0 });
    await new Promise((r) => setTimeout(r, 1000));
  }

  let writeBacks: WriteBacksResult | null = null;
  let queued = 0;
  const ids = [...due];
  if (report.status === 'completed' || report.status === 'interrupted') {
    writeBacks = await runWriteBacks(deps, {
      tenant: tenant.id,
      ticketIds: report.status === 'completed' ? ids : [],
      signal,
      onProgress: (done, total) =>
        bar.update({ phase: 'writing', ticketsSeen: report!.ticketsSeen, repaired: ledgerChanges(report!) + done, written: { done, total } }),
    });
    // Interrupted (or a worker held a ticket too long): a worker finishes these when one runs, and
    // the next sweep or backfill finds any it did not.
    const left = report.status === 'completed' ? writeBacks.left : ids;
    for (const ticketId of left) await runtime.queues.add('tracker.writeback', { tenant: tenant.id, ticketId });
    queued = left.length;
  }
  bar.end();

  const interrupted = signal.aborted || report.status === 'interrupted';
  const failed = report.status === 'failed' || report.errorCount > 0 || (writeBacks?.errors.length ?? 0) > 0;
  const exitCode = interrupted ? EXIT.interrupted : failed ? EXIT.failed : EXIT.ok;
  if (args.json) {
    options.stdout.write(`${JSON.stringify({ report, writeBacks, queued }, null, 2)}\n`);
  } else {
    options.stdout.write(summaryText(tenant.config.tracker, report, writeBacks, queued, interrupted));
  }
  return { exitCode, report, writeBacks, queued };
}

const TRACKER_NAMES = { jira: 'Jira', linear: 'Linear' } as const;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The summary printed at the end, for people. */
export function summaryText(
  tracker: 'jira' | 'linear',
  r: SweepReport,
  w: WriteBacksResult | null,
  queued: number,
  interrupted: boolean,
): string {
  const seconds = ((r.durationMs ?? 0) / 1000).toFixed(1);
  const status = interrupted ? 'interrupted' : r.status;
  const l = r.ledger;
  const ledgerChanges = l.added + l.updated + l.deleted + l.excluded + l.movedOut;
  const driftTotal = r.drift.labels + r.drift.badges + r.drift.comments;
  const written = w?.written ?? 0;
  const errors = [...r.errors.map((e) => `${e.ticket ?? r.tenant}: ${e.message}`), ...(w?.errors ?? []).map((e) => `${e.ticket}: ${e.message}`)];
  const errorCount = r.errorCount + (w?.errors.length ?? 0);
  const lines = [
    `Backfill of ${r.tenant} (${TRACKER_NAMES[tracker]}), ${r.quarters.from}..${r.quarters.to}: ${status} in ${seconds} s`,
    `  tickets      ${r.ticketsSeen} seen, ${r.ticketsInRange} in range, ${r.ticketsRefetched} re-read`,
    `  ledger       ${l.added} added, ${l.updated} updated, ${l.deleted} deleted, ${l.excluded} excluded, ${l.movedOut} moved out`,
    `  pools        ${r.poolsRecomputed} recomputed`,
    `  drift        ${plural(r.drift.labels, 'label')}, ${plural(r.drift.badges, 'badge')}, ${plural(r.drift.comments, 'comment')} changed by people`,
    `  write-backs  ${r.writeBacksQueued} due, ${written} written (${w?.calls ?? 0} tracker calls)${queued > 0 ? `, ${queued} left to the workers` : ''}`,
    `  errors       ${errorCount === 0 ? 'none' : errorCount}`,
    ...errors.slice(0, 10).map((e) => `    - ${e}`),
  ];
  if (status === 'completed') {
    lines.push(
      ledgerChanges + driftTotal + written === 0 && errorCount === 0
        ? `Nothing to repair: the ledger and every ticket already match ${TRACKER_NAMES[tracker]}.`
        : `Repaired ${plural(ledgerChanges, 'ledger change')} and ${plural(written, 'ticket')}.`,
    );
  } else if (status === 'interrupted') {
    lines.push('Interrupted: what was done is kept; run the same command again to finish.');
  } else {
    lines.push('The sweep failed; fix the error above and run the same command again.');
  }
  return `${lines.join('\n')}\n`;
}
