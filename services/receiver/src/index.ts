export * from './app.js';
export * from './receiver-deps.js';
export * from './routes/webhooks.js';
export * from './use-cases/receive-webhook.js';
export * from './routes/webhook-fast-lane.js';
