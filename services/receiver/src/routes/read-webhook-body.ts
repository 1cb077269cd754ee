import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';

/** A client's mistake while sending the body, in the shape the shared error handler answers (status, exposed message). */
export class BodyError extends Error {
  readonly expose = true;
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

/** True when the body must be decoded before it can be read (trackers never compress webhooks). */
export function hasContentEncoding(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  return encoding !== undefined && encoding.toLowerCase() !== 'identity';
}

/**
 * Reads a request's raw bytes, up to `limit`, and calls back once: with the body, or with a
 * `BodyError` — 413 when over the limit (declared or sent), 400 for an aborted upload or a body
 * shorter than its Content-Length. The same outcomes as `express.raw`, without its per-request
 * content-type, charset and stream-decoding machinery, which cost more than verifying the
 * signature on the receiver's hot path. It does not decode a Content-Encoding: check
 * `hasContentEncoding` first.
 *
 * On an error the rest of the body is read and dropped before calling back, as body-parser does,
 * so the client reads the answer instead of a reset connection.
 */
export function readRawBody(req: IncomingMessage, limit: number, done: (error: BodyError | null, body: Buffer) => void): void {
  const declared = req.headers['content-length'];
  const length = declared === undefined ? null : Number(declared);
  if (length === null && req.headers['transfer-encoding'] === undefined) {
    done(null, Buffer.alloc(0));
    return;
  }
  if (length !== null && length > limit) {
    dump(req, () => done(new BodyError(413, 'request entity too large'), EMPTY));
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
    dump(req, () => done(error, EMPTY));
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
    done(null, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
  }
  function onAborted() {
    fail(new BodyError(400, 'request aborted'));
  }
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onAborted);
  req.on('aborted', onAborted);
}

const EMPTY = Buffer.alloc(0);

/**
 * Express middleware over `readRawBody`: the raw bytes in `req.body` (a Buffer), a `BodyError` to
 * the error handler. A body with a Content-Encoding goes through `express.raw` (inflated, or 415).
 */
export function readWebhookBody(limit: number): RequestHandler {
  const general = express.raw({ type: () => true, limit });
  return (req, res, next) => {
    if (hasContentEncoding(req)) {
      general(req, res, next);
      return;
    }
    readRawBody(req, limit, (error, body) => {
      if (error) {
        next(error);
        return;
      }
      req.body = body;
      next();
    });
  };
}

/** Reads off and drops the rest of a request, then calls back once (also when the connection closes). */
function dump(req: IncomingMessage, callback: () => void): void {
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
