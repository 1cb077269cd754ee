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
import { Agent, request } from 'node:http';
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

/** An evenly paced open-loop load: request i is due at start + i/rate, whatever the answers before it. */
async function runPaced(spec: LoadSpec, body: string, headers: Record<string, string>): Promise<LoadResult> {
  const rate = spec.overallRate!;
  const { hostname, port } = new URL(spec.url);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const total = Math.floor(rate * spec.durationSec);
  const latencies: number[] = [];
  let ok2xx = 0;
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  let settled = 0;
  const bytes = Buffer.from(body);
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const finish = () => {
      settled++;
      if (settled === total) resolve();
    };
    const send = (due: number) => {
      const n = ++sent;
      const req = request(
        {
          agent,
          hostname,
          port,
          method: 'POST',
          path: spec.path,
          headers: { ...headers, [spec.idHeader]: `${spec.idPrefix}-${n}`, 'content-length': String(bytes.length) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - due);
            if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) ok2xx++;
            else non2xx++;
            finish();
          });
        },
      );
      req.on('error', () => {
        errors++;
        finish();
      });
      req.end(bytes);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / rate <= now) send(start + (sent * 1000) / rate);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const durationSec = (performance.now() - start) / 1000;
  agent.destroy();
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
