export * from './create-workers.js';
export * from './worker-deps.js';
export * from './use-cases/apply-tracker-event.js';
export * from './use-cases/recompute-pool.js';
export * from './use-cases/write-back-ticket.js';
export * from './use-cases/desired-writes.js';
