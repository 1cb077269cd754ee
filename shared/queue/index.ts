export * from './catalog.js';
export * from './queues.js';
