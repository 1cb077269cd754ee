import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { isTrackerError } from '@pool-guard/shared/tracker';
import type { WorkerDeps } from '../worker-deps.js';

/** Jitter so that many jobs delayed by one rate limit do not all come back at the same instant. */
function jitter(ms: number): number {
  return Math.round(ms * (1 + Math.random() * 0.2));
}

/** How long a job waits when its tenant already has every slot it may use in this process. */
const BUSY_TENANT_DELAY_MS = 250;

/**
 * How long a job over its tenant's cap may wait in this process for a slot, while the tenant's
 * running jobs are younger than this (see TenantGate.enter); past that it is delayed instead.
 */
const BUSY_TENANT_WAIT_MS = 1_000;

/**
 * Tracker errors already counted in the tenant's failure streak. Jobs waiting on one shared call
 * (the Jira plugin's field lookup, say) all get that call's error: one failed call is one failure,
 * not one per job (eight jobs on one 500 made a streak of eight and paused the tenant for 32 s).
 */
const countedFailures = new WeakSet<object>();

/**
 * Runs a job body and translates tracker errors into BullMQ behaviour: a rate limit pauses the
 * tenant's tracker calls and delays the job (without spending an attempt); a streak of transient
 * errors pauses the tenant with backoff and the job retries; auth, invalid and not-found errors fail
 * it for good. A tenant at its in-process concurrency cap gets its job run when a slot frees up
 * soon (its tracker answers), else delayed.
 */
export async function runTrackerJob<T>(
  deps: WorkerDeps,
  job: Job,
  token: string | undefined,
  tenant: string,
  body: () => Promise<T>,
): Promise<T> {
  const leave = deps.tenantGate ? await deps.tenantGate.enter(tenant, BUSY_TENANT_WAIT_MS) : () => undefined;
  if (!leave) return delayJob(job, token, jitter(BUSY_TENANT_DELAY_MS));
  try {
    const result = await body();
    await deps.throttle.recordSuccess(tenant);
    return result;
  } catch (err) {
    if (!isTrackerError(err)) throw err;
    switch (err.kind) {
      case 'rate_limited': {
        // The tenant's calls pause exactly as long as the tracker asked (or, when the job found
        // the tenant already paused, until that pause ends: never longer). Only the job's own
        // delay has a floor: with the floor in the pause, every job that found the tenant paused
        // pushed the pause 250 ms further, and a busy queue kept the tenant paused for good.
        const retryAfterMs = err.waitMs;
        await deps.throttle.pauseUntil(tenant, Date.now() + retryAfterMs);
        const waitMs = Math.max(250, retryAfterMs);
        deps.logger.warn({ tenant, jobId: job.id, job: job.name, waitMs }, 'tracker rate limit: delaying job');
        await job.moveToDelayed(Date.now() + jitter(waitMs), token);
        throw new DelayedError();
      }
      case 'transient': {
        if (!countedFailures.has(err)) {
          countedFailures.add(err);
          const pauseMs = await deps.throttle.recordTransientFailure(tenant);
          if (pauseMs > 0) deps.logger.warn({ tenant, pauseMs, err: err.message }, 'tracker keeps failing: pausing its calls');
        }
        throw err;
      }
      case 'auth':
      case 'invalid':
      case 'not_found':
        deps.logger.error({ tenant, jobId: job.id, job: job.name, kind: err.kind, status: err.status, err: err.message }, 'tracker refused the call; not retrying');
        throw new UnrecoverableError(`${err.kind}: ${err.message}`);
      default: {
        const _exhaustive: never = err.kind;
        throw new Error(`unhandled tracker error kind ${String(_exhaustive)}`);
      }
    }
  } finally {
    leave();
  }
}

/** Puts a job back to wait `ms` without spending an attempt. */
export async function delayJob(job: Job, token: string | undefined, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
}
