/**
 * The queues with every job add reported once it is made: what a test sees of the write-backs and
 * pool write-backs the code under test queues, in order.
 */
import type { JobName, PoolGuardQueues } from '@pool-guard/shared/queue';

/** A queued job's subject: the ticket of a write-back, the pool of a pool write-back. */
export interface ReportedAdd {
  job: JobName;
  /** `ticketId` or `poolId` of the job's data ('' for other jobs). */
  subject: string;
  options: Parameters<PoolGuardQueues['add']>[2];
}

export function reportingAdds(queues: PoolGuardQueues, report: (add: ReportedAdd) => void): PoolGuardQueues {
  return {
    ...queues,
    add: (async (job, data, options) => {
      await queues.add(job, data, options);
      const d = data as { ticketId?: string; poolId?: string };
      report({ job, subject: d.ticketId ?? d.poolId ?? '', options });
    }) as PoolGuardQueues['add'],
  };
}
