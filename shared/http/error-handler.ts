import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logging/index.js';

/**
 * Last express middleware: a client's mistake (body too large, bad encoding, aborted upload) gets
 * its 4xx with a plain message; anything else is logged and answered 500 without details.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = err as { status?: number; statusCode?: number; type?: string; message?: string; expose?: boolean };
    const status = e.status ?? e.statusCode ?? 500;
    if (res.headersSent) {
      res.end();
      return;
    }
    if (status === 413) {
      res.status(413).json({ error: 'request body is too large' });
      return;
    }
    if (status >= 400 && status < 500) {
      const message = e.expose && e.message ? e.message : 'bad request';
      res.status(status).json({ error: message });
      return;
    }
    logger.error({ err: e.message, method: req.method, path: req.path }, 'unhandled error');
    res.status(500).json({ error: 'internal error' });
  };
}

/** JSON 404 for routes that do not exist. */
export function notFoundHandler(): RequestHandler {
  return (_req, res) => {
    res.status(404).json({ error: 'not found' });
  };
}
