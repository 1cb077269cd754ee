/**
 * Setting up a ledger for the ledger figures (set-up, not measured): memory-tracker tickets put in
 * the ledger as the worker would, and worker deps whose recomputes queue no write-backs.
 */
import { toPoolRequest } from '@pool-guard/shared/domain';
import type { Runtime } from '@pool-guard/shared/runtime';
import type { WorkerDeps } from '@pool-guard/worker';
import { memoryTicket } from './memory-tracker.js';

/** Puts the first version of each memory ticket in the ledger, `parallel` at a time, without recomputing. */
export async function fillLedger(runtime: Runtime, tenantId: string, ids: readonly string[], parallel: number): Promise<void> {
  const tenant = runtime.tenants.get(tenantId)!;
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const ticket = memoryTicket(id, 0);
        const request = toPoolRequest(ticket, tenant.rules);
        await runtime.store.applyTicketChange(tenant.id, id, { kind: 'upsert', updatedAt: ticket.updatedAt, request }, { key: ticket.key, excluded: null });
      }
    }),
  );
}

/** The worker's deps over `runtime`, with `quietQueues` dropping every queue add (filling is set-up). */
export function workerDeps(runtime: Runtime, quietQueues = false): WorkerDeps {
  const base: WorkerDeps = { ...runtime, coalesceMs: runtime.config.worker.coalesceMs, reconcile: runtime.config.reconcile };
  return quietQueues ? { ...base, queues: { ...runtime.queues, add: async () => undefined } } : base;
}
