export * from './catalog.js';
export * from './queues.js';
export * from './dead-letters.js';
export * from './ingest-stream.js';
