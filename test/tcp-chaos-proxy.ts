/**
 * A small TCP proxy for fault tests: forwards every connection to one upstream (a redis-server), and
 * on demand stalls the bytes (both directions, or only the replies) or resets every connection with
 * a TCP RST, the way a flaky network or a dying load balancer does.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpChaosProxyStats {
  /** Client connections accepted. */
  connections: number;
  /** Times resetAll() ran, and connections it reset. */
  resets: number;
  connectionsReset: number;
  /** Times stall() ran. */
  stalls: number;
  /** Client connections dropped because the upstream refused or closed (e.g. Redis restarting). */
  upstreamFailures: number;
}

export interface TcpChaosProxy {
  readonly port: number;
  readonly stats: Readonly<TcpChaosProxyStats>;
  /** Connections open now. */
  openConnections(): number;
  /**
   * Stops moving bytes for `ms` on every connection, open now or opened meanwhile: `both`
   * directions, or only `replies` (upstream to client; the requests still reach the upstream).
   * Resolves when the bytes flow again.
   */
  stall(ms: number, direction?: 'both' | 'replies'): Promise<void>;
  /** Resets every open connection at once (RST to both ends). Returns how many were reset. */
  resetAll(): number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Torn down already (by either end, or by resetAll). */
  closed: boolean;
}

export async function startTcpChaosProxy(upstreamPort: number, upstreamHost = '127.0.0.1'): Promise<TcpChaosProxy> {
  const pairs = new Set<Pair>();
  const stats: TcpChaosProxyStats = { connections: 0, resets: 0, connectionsReset: 0, stalls: 0, upstreamFailures: 0 };
  // Stalls in force (they may overlap): requests held while `both` > 0, replies while `both + replies` > 0.
  const stalled = { both: 0, replies: 0 };
  const requestsHeld = () => stalled.both > 0;
  const repliesHeld = () => stalled.both + stalled.replies > 0;

  const kill = (socket: Socket) => {
    if (socket.destroyed) return;
    if (socket.readyState === 'open' || socket.readyState === 'readOnly' || socket.readyState === 'writeOnly') socket.resetAndDestroy();
    else socket.destroy();
  };

  /** Forwards `from` to `to`, holding bytes while `held()`; flow control both ways. */
  const forward = (from: Socket, to: Socket, held: () => boolean, queue: Buffer[]) => {
    from.on('data', (chunk: Buffer) => {
      if (held() || queue.length > 0) {
        queue.push(chunk);
        return;
      }
      if (!to.write(chunk)) from.pause();
    });
    to.on('drain', () => {
      if (!held()) from.resume();
    });
  };

  const flush = (to: Socket, queue: Buffer[]) => {
    while (queue.length > 0 && !to.destroyed) to.write(queue.shift()!);
  };

  const queues = new WeakMap<Pair, { requests: Buffer[]; replies: Buffer[] }>();
  const release = () => {
    for (const pair of pairs) {
      const q = queues.get(pair);
      if (!q) continue;
      if (!requestsHeld()) flush(pair.upstream, q.requests);
      if (!repliesHeld()) flush(pair.client, q.replies);
    }
  };

  const server: Server = createServer((client) => {
    stats.connections++;
    client.setNoDelay(true);
    const upstream = connect({ port: upstreamPort, host: upstreamHost });
    upstream.setNoDelay(true);
    const pair: Pair = { client, upstream, closed: false };
    const q = { requests: [] as Buffer[], replies: [] as Buffer[] };
    pairs.add(pair);
    queues.set(pair, q);
    forward(client, upstream, requestsHeld, q.requests);
    forward(upstream, client, repliesHeld, q.replies);
    const end = (failedUpstream: boolean) => {
      if (pair.closed) return;
      pair.closed = true;
      if (failedUpstream) stats.upstreamFailures++;
      pairs.delete(pair);
      // Whatever one side did, the other sees a broken connection (as through a real middlebox).
      kill(client);
      kill(upstream);
    };
    client.on('error', () => end(false));
    client.on('close', () => end(false));
    upstream.on('error', () => end(true));
    upstream.on('close', () => end(true));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;

  return {
    port,
    stats,
    openConnections: () => pairs.size,
    async stall(ms, direction = 'both') {
      stats.stalls++;
      stalled[direction]++;
      await new Promise((r) => setTimeout(r, ms));
      stalled[direction]--;
      release();
    },
    resetAll() {
      stats.resets++;
      const all = [...pairs];
      stats.connectionsReset += all.length;
      for (const pair of all) {
        pairs.delete(pair);
        pair.closed = true;
        kill(pair.client);
        kill(pair.upstream);
      }
      return all.length;
    },
    async close() {
      for (const pair of pairs) {
        pair.closed = true;
        kill(pair.client);
        kill(pair.upstream);
      }
      pairs.clear();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
