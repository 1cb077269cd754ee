export * from './app.js';
export * from './admin-deps.js';
export * from './use-cases/pool-view.js';
