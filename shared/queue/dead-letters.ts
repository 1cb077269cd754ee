/**
 * The dead-letter queue: jobs that still failed after their last attempt (or failed for good, e.g.
 * the tracker refused the credentials) are copied here, with why they failed, so an admin can list,
 * inspect and replay them. No worker consumes this queue; entries stay until replayed or deleted.
 */
import type { Job, JobsOptions, Queue } from 'bullmq';
import type { ZodType } from 'zod';
import { JOBS, type JobName } from './catalog.js';

/** Renaming this strands the dead letters already stored. */
export const DEAD_LETTER_QUEUE = '{pool-guard-dead-letters}';
export const DEAD_LETTER_JOB = 'job.dead';

export interface DeadLetter {
  /** Id of the entry in the dead-letter queue. */
  id: string;
  tenant: string | null;
  /** The failed job: its queue, name, id, data. */
  queue: string;
  name: string;
  jobId: string | null;
  data: unknown;
  failedReason: string;
  stacktrace: string[];
  attemptsMade: number;
  failedAt: string;
}

type DeadLetterData = Omit<DeadLetter, 'id'>;

export function isFinalFailure(job: Job, err: Error): boolean {
  if (err.name === 'UnrecoverableError') return true;
  const attempts = job.opts.attempts ?? 1;
  return job.attemptsMade + 1 >= attempts;
}

export async function addDeadLetter(deadLetters: Queue, job: Job, err: Error, now = new Date()): Promise<void> {
  const data = job.data as { tenant?: unknown };
  const entry: DeadLetterData = {
    tenant: typeof data?.tenant === 'string' ? data.tenant : null,
    queue: job.queueName,
    name: job.name,
    jobId: job.id ?? null,
    data: job.data,
    failedReason: err.message,
    stacktrace: (err.stack ?? '').split('\n').slice(0, 12),
    attemptsMade: job.attemptsMade + 1,
    failedAt: now.toISOString(),
  };
  await deadLetters.add(DEAD_LETTER_JOB, entry, { removeOnComplete: true, removeOnFail: false });
}

function toDeadLetter(job: Job): DeadLetter {
  return { id: String(job.id), ...(job.data as DeadLetterData) };
}

export async function listDeadLetters(deadLetters: Queue, options: { tenants?: readonly string[] | null; limit?: number } = {}): Promise<DeadLetter[]> {
  const limit = options.limit ?? 100;
  const jobs = await deadLetters.getJobs(['waiting', 'paused', 'prioritized', 'delayed'], 0, -1, true);
  const out: DeadLetter[] = [];
  for (const job of jobs) {
    if (!job) continue;
    const entry = toDeadLetter(job);
    if (options.tenants && (entry.tenant === null || !options.tenants.includes(entry.tenant))) continue;
    out.push(entry);
    if (out.length >= limit) break;
  }
  return out;
}

export async function getDeadLetter(deadLetters: Queue, id: string): Promise<DeadLetter | null> {
  const job = await deadLetters.getJob(id);
  return job ? toDeadLetter(job) : null;
}

export type ReplayOutcome =
  | { kind: 'replayed'; name: string; queue: string }
  | { kind: 'not_found' }
  /** This version cannot run it: a job name it no longer has, or data that no longer fits the job's schema. */
  | { kind: 'not_replayable'; reason: string };

/**
 * Puts the failed job back on its queue with fresh attempts, then removes the dead letter. A job
 * this version cannot run (unknown name or queue, data that fails the job's schema: queued by an
 * older version, or edited by hand) is not replayed and its dead letter stays.
 */
export async function replayDeadLetter(
  deadLetters: Queue,
  queues: Readonly<Record<string, Queue>>,
  id: string,
): Promise<ReplayOutcome> {
  const job = await deadLetters.getJob(id);
  if (!job) return { kind: 'not_found' };
  const entry = toDeadLetter(job);
  // Own names only: a dead letter named "constructor" is no job of the catalog.
  const spec = Object.hasOwn(JOBS, entry.name) ? (JOBS[entry.name as JobName] as { schema: ZodType; options: JobsOptions }) : undefined;
  const target = Object.values(queues).find((q) => q.name === entry.queue);
  if (!spec || !target) return { kind: 'not_replayable', reason: `it is a "${entry.name}" job on "${entry.queue}", which this version does not run` };
  const data = spec.schema.safeParse(entry.data);
  if (!data.success) {
    const issue = data.error.issues[0];
    return { kind: 'not_replayable', reason: `its data does not fit a "${entry.name}" job any more (${issue ? `${issue.path.map(String).join('.') || 'data'}: ${issue.message}` : 'invalid'})` };
  }
  await target.add(entry.name, data.data, { ...spec.options });
  await job.remove();
  return { kind: 'replayed', name: entry.name, queue: entry.queue };
}

export async function deleteDeadLetter(deadLetters: Queue, id: string): Promise<boolean> {
  const job = await deadLetters.getJob(id);
  if (!job) return false;
  await job.remove();
  return true;
}
