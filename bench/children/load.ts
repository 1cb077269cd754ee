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
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  path: string;
  connections: number;
  durationSec: number;
  /** Requests per second over all connections; absent = as fast as the server answers. */
  overallRate?: number;
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

async function run(spec: LoadSpec): Promise<LoadResult> {
  let { body } = spec;
  let headers = spec.headers;
  if (spec.linearSecret) {
    body = JSON.stringify({ ...(JSON.parse(body) as Record<string, unknown>), webhookTimestamp: Date.now() });
    headers = { ...headers, 'linear-signature': createHmac('sha256', spec.linearSecret).update(body).digest('hex') };
  }
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
