export * from './start-stack.js';
