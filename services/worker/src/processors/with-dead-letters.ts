import { DelayedError, type Job } from 'bullmq';
import { addDeadLetter, isFinalFailure } from '@pool-guard/shared/queue';
import type { WorkerDeps } from '../worker-deps.js';

type Processor = (job: Job, token?: string) => Promise<unknown>;

/**
 * Copies a job to the dead-letter queue when it fails for the last time (its final attempt, or an
 * unrecoverable error), then lets BullMQ record the failure as usual. Delays are not failures.
 */
export function withDeadLetters(deps: WorkerDeps, processor: Processor): Processor {
  return async (job, token) => {
    try {
      return await processor(job, token);
    } catch (err) {
      if (err instanceof DelayedError || !(err instanceof Error)) throw err;
      if (isFinalFailure(job, err)) {
        try {
          await addDeadLetter(deps.queues.deadLetters, job, err);
          deps.logger.error({ job: job.name, jobId: job.id, attempts: job.attemptsMade + 1, err: err.message }, 'job failed for good: moved to the dead-letter queue');
        } catch (dlqErr) {
          // The failed job itself stays in BullMQ's failed set, so nothing is lost.
          deps.logger.error({ job: job.name, jobId: job.id, err: (dlqErr as Error).message }, 'could not add a dead letter');
        }
      }
      throw err;
    }
  };
}
