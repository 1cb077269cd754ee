/** A tiny load balancer for tests: forwards each request to the next upstream in turn. */
import { createServer, request, type Server } from 'node:http';

export async function startRoundRobinProxy(upstreamPorts: readonly number[]): Promise<{ port: number; close(): Promise<void> }> {
  let next = 0;
  const server: Server = createServer((req, res) => {
    const port = upstreamPorts[next++ % upstreamPorts.length]!;
    const upstream = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502).end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
