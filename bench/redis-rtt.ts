/**
 * The machine's own Redis round trips, for reading the ledger figure's tail: one client sends
 * `GET` after `GET` to a Redis for a few seconds and prints the round-trip percentiles and how
 * many took over 2 ms.
 *
 *   node --conditions=source --import ./bench/loader/register.mjs bench/redis-rtt.ts [redis-url] [seconds]
 */
import { Redis } from 'ioredis';

const [url = 'redis://127.0.0.1:6379', seconds = '6'] = process.argv.slice(2);
const redis = new Redis(url);
try {
  const times: number[] = [];
  const end = Date.now() + Number(seconds) * 1000;
  while (Date.now() < end) {
    const t0 = performance.now();
    await redis.get('pool-guard-bench-rtt');
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.floor(p * (times.length - 1))]!.toFixed(3);
  const slow = times.filter((t) => t > 2).length;
  process.stdout.write(
    `${times.length} GETs in ${seconds} s: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, p99.9 ${at(0.999)} ms, max ${times.at(-1)!.toFixed(2)} ms; ${slow} over 2 ms (${(slow / Number(seconds)).toFixed(1)} a second)\n`,
  );
} finally {
  redis.disconnect();
}
