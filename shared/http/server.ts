import { createServer, type RequestListener, type Server } from 'node:http';

/**
 * Starts an HTTP server for a request listener (an express app is one); resolves with the server
 * once bound (port 0 picks a free port).
 */
export function listen(app: RequestListener, port: number, host?: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    if (host) server.listen(port, host);
    else server.listen(port);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

/**
 * Stops accepting connections, lets requests in flight finish (bounded), then closes idle
 * keep-alive sockets.
 */
export async function closeServer(server: Server, timeoutMs = 10_000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
}

export function boundPort(server: Server): number {
  const addr = server.address();
  if (addr && typeof addr === 'object') return addr.port;
  throw new Error('server is not listening on a TCP port');
}
