/**
 * Stands where Pool Guard's webhook URL would be and keeps every delivery exactly as it arrived
 * (bytes and headers, so the signature still holds), to be replayed later in any order and as
 * often as a test likes. Deliveries the test does not want (e.g. Pool Guard's own echoes) can be
 * answered and dropped.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

/** Headers a tracker's webhook carries that the receiver reads (signature, delivery id, type). */
const KEPT_HEADERS = ['content-type', 'user-agent', 'x-hub-signature', 'x-atlassian-webhook-identifier', 'x-atlassian-webhook-flow'];

export interface RecordedDelivery {
  /** The tracker's delivery id (same on its retries). */
  id: string;
  headers: Record<string, string>;
  body: Buffer;
  /** `webhookEvent` of the JSON body. */
  event: string;
  /** Who caused it (the body's `user.accountId`, or the comment author), if the body says. */
  actorId: string | null;
}

export interface WebhookRecorder {
  url: string;
  /** Deliveries held for the test, in arrival order (retries of one delivery are kept once). */
  readonly held: RecordedDelivery[];
  /** Deliveries answered and dropped. */
  readonly dropped: number;
  /** Takes the held deliveries (and forgets them). */
  take(): RecordedDelivery[];
  close(): Promise<void>;
}

export interface WebhookRecorderOptions {
  /** Deliveries for which this is true are answered 202 and not held. */
  drop?: (delivery: RecordedDelivery) => boolean;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function actorOf(json: any): string | null {
  return json?.user?.accountId ?? json?.comment?.author?.accountId ?? null;
}

export async function startWebhookRecorder(options: WebhookRecorderOptions = {}): Promise<WebhookRecorder> {
  let held: RecordedDelivery[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  const server: Server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const headers: Record<string, string> = {};
        for (const name of KEPT_HEADERS) {
          const v = req.headers[name];
          if (typeof v === 'string') headers[name] = v;
        }
        let json: any = null;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          // kept as bytes
        }
        const delivery: RecordedDelivery = {
          id: headers['x-atlassian-webhook-identifier'] ?? `anon-${seen.size}`,
          headers,
          body,
          event: String(json?.webhookEvent ?? ''),
          actorId: actorOf(json),
        };
        if (options.drop?.(delivery)) {
          dropped++;
        } else if (!seen.has(delivery.id)) {
          seen.add(delivery.id);
          held.push(delivery);
        }
        res.writeHead(202).end();
      },
      () => res.writeHead(400).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/webhooks/jira/acme`,
    get held() {
      return held;
    },
    get dropped() {
      return dropped;
    },
    take() {
      const out = held;
      held = [];
      return out;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
