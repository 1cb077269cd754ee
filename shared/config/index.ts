export * from './tenant-config.js';
export * from './load-config.js';
