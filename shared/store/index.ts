export * from './keys.js';
export * from './ledger-store.js';
export * from './ticket-locks.js';
export * from './ticket-activity.js';
export * from './tracker-throttle.js';
export * from './redis-connection.js';
export * from './sweep-store.js';
