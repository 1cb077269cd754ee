/**
 * Write-backs done in this process (the backfill needs no worker): the worker's own use-case, with
 * the worker's manners: a ticket another write-back holds is tried again shortly, a rate limit is
 * waited out (and pauses the tenant for the workers too), transient errors are retried.
 */
import { isTrackerError } from '@pool-guard/shared/tracker';
import { writeBackTicket, type WorkerDeps } from '@pool-guard/worker';

export interface WriteBacksResult {
  written: number;
  /** Tickets that needed nothing after all (another write-back got there first). */
  unchanged: number;
  /** Tracker API calls made. */
  calls: number;
  /** Tickets not done: the run was stopped, or a worker held the ticket too long (hand them to the queue). */
  left: string[];
  errors: Array<{ ticket: string; message: string }>;
}

export interface RunWriteBacksOptions {
  tenant: string;
  ticketIds: readonly string[];
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

const LOCKED_RETRY_MS = 200;
const MAX_LOCKED_WAIT_MS = 30_000;
const TRANSIENT_ATTEMPTS = 5;

export async function runWriteBacks(deps: WorkerDeps, options: RunWriteBacksOptions): Promise<WriteBacksResult> {
  const result: WriteBacksResult = { written: 0, unchanged: 0, calls: 0, left: [], errors: [] };
  const queue = [...options.ticketIds];
  const total = queue.length;
  let done = 0;

  const one = async (ticketId: string): Promise<void> => {
    let lockedFor = 0;
    for (let attempt = 0; ; ) {
      try {
        const outcome = await writeBackTicket(deps, { tenant: options.tenant, ticketId });
        if (outcome.kind === 'locked') {
          // A worker is writing this ticket right now: it will leave it right, or we try again.
          if (lockedFor >= MAX_LOCKED_WAIT_MS) return void result.left.push(ticketId);
          lockedFor += LOCKED_RETRY_MS;
          await sleep(LOCKED_RETRY_MS, options.signal);
          if (options.signal?.aborted) return void result.left.push(ticketId);
          continue;
        }
        if (outcome.kind === 'written') {
          result.written++;
          result.calls += outcome.calls;
        } else {
          result.unchanged++;
        }
        return;
      } catch (err) {
        if (!isTrackerError(err)) throw err;
        if (err.kind === 'rate_limited') {
          const ms = Math.max(250, err.waitMs);
          await deps.throttle.pauseUntil(options.tenant, Date.now() + ms);
          await sleep(ms, options.signal);
          if (options.signal?.aborted) return void result.left.push(ticketId);
          continue;
        }
        if (err.kind === 'transient' && ++attempt < TRANSIENT_ATTEMPTS) {
          await sleep(500 * 2 ** attempt, options.signal);
          if (options.signal?.aborted) return void result.left.push(ticketId);
          continue;
        }
        result.errors.push({ ticket: ticketId, message: `${err.kind}: ${err.message}` });
        return;
      }
    }
  };

  const lanes = Array.from({ length: Math.max(1, options.concurrency ?? 4) }, async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      if (options.signal?.aborted) {
        result.left.push(id);
        continue;
      }
      await one(id);
      options.onProgress?.(++done, total);
    }
  });
  await Promise.all(lanes);
  return result;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
