/** A tiny HTTP server that records webhook deliveries (raw bytes + lower-cased headers). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  headers: Record<string, string>;
  body: Buffer;
  json: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  receivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedDelivery[];
  /** Status codes to answer, in order; 200 once exhausted. */
  answers: number[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(path = '/webhooks/linear/acme'): Promise<WebhookReceiver> {
  const received: ReceivedDelivery[] = [];
  const receiver = { received, answers: [] as number[] } as Omit<WebhookReceiver, 'url' | 'close'>;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      received.push({ headers, body, json: JSON.parse(body.toString('utf8')), receivedAt: Date.now() });
      res.statusCode = receiver.answers.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
