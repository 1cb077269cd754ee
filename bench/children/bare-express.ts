/**
 * The ingest baseline: an express 5 route that only reads the raw body (as the receiver does, with
 * the same 1 MB limit) and answers 202. Run in a process of its own, like the receiver.
 */
import { createServer } from 'node:http';
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.post('/webhooks/:tracker/:tenant', express.raw({ type: () => true, limit: 1024 * 1024 }), (_req, res) => {
  res.status(202).end();
});
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
const server = createServer(app);
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
