/**
 * The pure domain of Pool Guard: quarters, sizing, pool requests, event ordering, admission, what a
 * ticket shows and the comment text. No I/O; imported as `@pool-guard/shared/domain`.
 */
export * from './ticket.js';
export * from './pool-state.js';
export * from './instant.js';
export * from './quarter.js';
export * from './sizing.js';
export * from './format-days.js';
export * from './custom-request.js';
export * from './pool-request.js';
export * from './ticket-change.js';
export * from './admission.js';
export * from './ticket-view.js';
export * from './comment-text.js';
