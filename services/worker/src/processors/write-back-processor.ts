import type { Job } from 'bullmq';
import { JOBS } from '@pool-guard/shared/queue';
import { writeBackTicket } from '../use-cases/write-back-ticket.js';
import { BacklogHolds, eventsBacklog, holdDeadline, restHoldMs } from './burst-hold.js';
import { delayJob, runTrackerJob } from './run-tracker-job.js';
import type { WorkerDeps } from '../worker-deps.js';

export interface WriteBackProcessor {
  process(job: Job, token?: string): Promise<unknown>;
  /** Ends the waits for a backlog at once (shutdown): the waiting jobs go back to the queue. */
  stop(): void;
}

/** The write-back queue: `tracker.writeback`. */
export function createWriteBackProcessor(deps: WorkerDeps): WriteBackProcessor {
  const holds = new BacklogHolds(eventsBacklog(deps));
  return {
    async process(job: Job, token?: string): Promise<unknown> {
      const data = JOBS['tracker.writeback'].schema.parse(job.data);
      // Wait out a burst of changes (see burst-hold.ts), keeping the deduplication id: a backlog of
      // events in this slot, then the ticket's own changes through the delayed set.
      const subject = { tenant: data.tenant, ticketId: data.ticketId };
      const deadline = holdDeadline(job, subject);
      if (!(await holds.waitOut(deadline))) return delayJob(job, token, Math.max(0, deadline - Date.now()));
      const hold = await restHoldMs(deps, job, subject);
      if (hold > 0) return delayJob(job, token, hold);
      // Once the job holds the ticket it reads the state: a change from then on needs a job of its own.
      const onStart = () => job.removeDeduplicationKey();
      const outcome = await runTrackerJob(deps, job, token, data.tenant, () => writeBackTicket(deps, { ...data, onStart }));
      if (outcome.kind === 'locked') return delayJob(job, token, Math.max(100, deps.coalesceMs));
      if (outcome.kind === 'written') {
        deps.logger.debug({ tenant: data.tenant, ticketId: data.ticketId, calls: outcome.calls }, 'ticket written');
      }
      return outcome;
    },
    stop: () => holds.stop(),
  };
}
