import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logging/index.js';

/**
 * The answer to an error: a client's mistake (body too large, bad encoding, aborted upload) gets its
 * 4xx with a plain message; anything else 500 without details (`internal: true`, to be logged).
 */
export function errorAnswer(err: unknown): { status: number; body: { error: string }; internal: boolean } {
  const e = (err ?? {}) as { status?: number; statusCode?: number; message?: string; expose?: boolean };
  const status = e.status ?? e.statusCode ?? 500;
  if (status === 413) return { status: 413, body: { error: 'request body is too large' }, internal: false };
  if (status >= 400 && status < 500) return { status, body: { error: e.expose && e.message ? e.message : 'bad request' }, internal: false };
  return { status: 500, body: { error: 'internal error' }, internal: true };
}

/** Last express middleware: answers an error as `errorAnswer` says, and logs the internal ones. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    const answer = errorAnswer(err);
    if (answer.internal) logger.error({ err: (err as { message?: string }).message, method: req.method, path: req.path }, 'unhandled error');
    res.status(answer.status).json(answer.body);
  };
}

/** JSON 404 for routes that do not exist. */
export function notFoundHandler(): RequestHandler {
  return (_req, res) => {
    res.status(404).json({ error: 'not found' });
  };
}
