export * from './error-handler.js';
export * from './health.js';
export * from './server.js';
