import express, { type Request, type RequestHandler } from 'express';

/** A client's mistake while sending the body, in the shape the shared error handler answers (status, exposed message). */
class BodyError extends Error {
  readonly expose = true;
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a webhook's raw bytes into `req.body` (a Buffer), up to `limit` bytes: more answers 413, an
 * aborted upload or a body shorter than its Content-Length answers 400. The same outcomes as
 * `express.raw`, without its per-request content-type, charset and stream-decoding machinery,
 * which cost more than verifying the signature on the receiver's hot path. Trackers never compress
 * webhooks; a body with a Content-Encoding goes through `express.raw` (inflated, or 415).
 *
 * On an error the rest of the body is read and dropped before the error is passed on, as
 * body-parser does, so the client reads the answer instead of a reset connection.
 */
export function readWebhookBody(limit: number): RequestHandler {
  const general = express.raw({ type: () => true, limit });
  return (req, res, next) => {
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      general(req, res, next);
      return;
    }
    const declared = req.headers['content-length'];
    const length = declared === undefined ? null : Number(declared);
    if (length === null && req.headers['transfer-encoding'] === undefined) {
      req.body = Buffer.alloc(0);
      next();
      return;
    }
    if (length !== null && length > limit) {
      dump(req, () => next(new BodyError(413, 'request entity too large')));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAborted);
      req.off('aborted', onAborted);
    };
    const fail = (error: BodyError) => {
      if (settled) return;
      settled = true;
      cleanup();
      dump(req, () => next(error));
    };
    function onData(chunk: Buffer) {
      received += chunk.length;
      if (received > limit) fail(new BodyError(413, 'request entity too large'));
      else chunks.push(chunk);
    }
    function onEnd() {
      if (settled) return;
      if (length !== null && received !== length) {
        fail(new BodyError(400, 'request size did not match content length'));
        return;
      }
      settled = true;
      cleanup();
      req.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received);
      next();
    }
    function onAborted() {
      fail(new BodyError(400, 'request aborted'));
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAborted);
    req.on('aborted', onAborted);
  };
}

/** Reads off and drops the rest of a request, then calls back once (also when the connection closes). */
function dump(req: Request, callback: () => void): void {
  if (req.complete || req.destroyed) {
    callback();
    return;
  }
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    callback();
  };
  req.once('end', once);
  req.once('close', once);
  req.resume();
}
