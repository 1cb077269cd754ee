export * from './test-redis.js';
export * from './fuzz-kit.js';
