export * from './tracker-adapter.js';
export * from './tracker-error.js';
export * from './tenant-registry.js';
