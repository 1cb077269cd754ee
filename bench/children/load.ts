/**
 * The load generator, in a process of its own so it does not share an event loop with what it
 * measures: autocannon's API, one run after another as listed, with a unique delivery id per
 * request (a header, so the signed body stays the same bytes and its signature stays valid).
 * Linear bodies are signed afresh before each run (Linear deliveries older than 60 s are refused).
 * Prints one JSON line per run.
 *
 *   node … bench/children/load.ts '<LoadSpec[] JSON>'
 */
import { createHmac } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  path: string;
  connections: number;
  durationSec: number;
  /** Requests per second over all connections; absent = as fast as the server answers. */
  overallRate?: number;
  /**
   * With `overallRate`: send one request every 1/rate s (open loop, keep-alive sockets up to
   * `connections`) instead of autocannon's rate limit, which fires each connection's whole quota
   * for the second back to back at the start of the second (so its "rate" is full load half the
   * time). Latency is then counted from when each request was due, not when it could be sent.
   */
  paced?: boolean;
  headers: Record<string, string>;
  body: string;
  /** This header gets `<idPrefix>-<n>`, unique per request. */
  idHeader: string;
  idPrefix: string;
  /** Set `webhookTimestamp` to now and sign the body into `linear-signature` with this secret. */
  linearSecret?: string;
}

export interface LoadResult {
  requestsPerSec: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  durationSec: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * An evenly paced open-loop load: request i is due at start + i/rate, whatever the answers before
 * it, sent on the first idle one of `connections` keep-alive sockets. A minimal HTTP/1.1 client on
 * raw sockets (requests pre-rendered, answers parsed from the status line and Content-Length): the
 * node:http client's own per-request objects and their garbage collections showed up in the
 * latency of the server measured (a bare express route at 1,600/s had p99 31 ms through it).
 */
async function runPaced(spec: LoadSpec, body: string, headers: Record<string, string>): Promise<LoadResult> {
  const rate = spec.overallRate!;
  const { hostname, port } = new URL(spec.url);
  const total = Math.floor(rate * spec.durationSec);
  const bytes = Buffer.from(body);
  const fixed = Object.entries({ ...headers, host: `${hostname}:${port}`, 'content-length': String(bytes.length), connection: 'keep-alive' })
    .filter(([name]) => name.toLowerCase() !== spec.idHeader.toLowerCase())
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const head = (n: number) => Buffer.from(`POST ${spec.path} HTTP/1.1\r\n${fixed}${spec.idHeader}: ${spec.idPrefix}-${n}\r\n\r\n`);
  const latencies: number[] = [];
  let ok2xx = 0;
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  let settled = 0;
  const backlog: number[] = [];
  interface Conn { socket: Socket; due: number | null; buffer: Buffer }
  const idle: Conn[] = [];
  const sockets: Conn[] = [];
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const finish = () => {
      settled++;
      if (settled === total) resolve();
    };
    const dispatch = (conn: Conn) => {
      const due = backlog.shift();
      if (due === undefined) {
        idle.push(conn);
        return;
      }
      conn.due = due;
      const n = ++sent;
      conn.socket.write(Buffer.concat([head(n), bytes]));
    };
    const onData = (conn: Conn, chunk: Buffer) => {
      conn.buffer = conn.buffer.length === 0 ? chunk : Buffer.concat([conn.buffer, chunk]);
      for (;;) {
        const end = conn.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const headText = conn.buffer.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(headText)?.[1] ?? 0);
        if (conn.buffer.length < end + 4 + length) return;
        conn.buffer = conn.buffer.subarray(end + 4 + length);
        const status = Number(headText.slice(9, 12));
        if (conn.due !== null) latencies.push(performance.now() - conn.due);
        if (status >= 200 && status < 300) ok2xx++;
        else non2xx++;
        conn.due = null;
        finish();
        dispatch(conn);
      }
    };
    for (let i = 0; i < spec.connections; i++) {
      const conn: Conn = { socket: connect(Number(port), hostname), due: null, buffer: Buffer.alloc(0) };
      conn.socket.setNoDelay(true);
      conn.socket.on('data', (chunk: Buffer) => onData(conn, chunk));
      conn.socket.on('error', () => {
        if (conn.due !== null) {
          errors++;
          conn.due = null;
          finish();
        }
      });
      sockets.push(conn);
      idle.push(conn);
    }
    let queued = 0;
    const tick = () => {
      const now = performance.now();
      while (queued < total && start + (queued * 1000) / rate <= now) {
        backlog.push(start + (queued * 1000) / rate);
        queued++;
      }
      while (backlog.length > 0 && idle.length > 0) dispatch(idle.pop()!);
      if (queued < total) setTimeout(tick, 1);
    };
    tick();
  });
  const durationSec = (performance.now() - start) / 1000;
  for (const conn of sockets) conn.socket.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSec: ok2xx / durationSec,
    ok2xx,
    non2xx,
    errors,
    timeouts: 0,
    latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? 0 },
    durationSec,
  };
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  let { body } = spec;
  let headers = spec.headers;
  if (spec.linearSecret) {
    body = JSON.stringify({ ...(JSON.parse(body) as Record<string, unknown>), webhookTimestamp: Date.now() });
    headers = { ...headers, 'linear-signature': createHmac('sha256', spec.linearSecret).update(body).digest('hex') };
  }
  if (spec.paced && spec.overallRate) return runPaced(spec, body, headers);
  let n = 0;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationSec,
    ...(spec.overallRate ? { overallRate: spec.overallRate } : {}),
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: spec.path,
        headers,
        body,
        setupRequest(req) {
          n++;
          return { ...req, headers: { ...headers, [spec.idHeader]: `${spec.idPrefix}-${n}` } };
        },
      },
    ],
  });
  return {
    requestsPerSec: result['2xx'] / result.duration,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    durationSec: result.duration,
  };
}

const specs = JSON.parse(process.argv[2] ?? '[]') as LoadSpec[];
for (const spec of specs) {
  // The parent samples the servers' CPU time between these two lines.
  process.stdout.write('start\n');
  process.stdout.write(`${JSON.stringify(await run(spec))}\n`);
}
