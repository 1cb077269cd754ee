export * from './create-runtime.js';
export * from './graceful-shutdown.js';
export * from './redis-server-process.js';
export * from './load-service-config.js';
