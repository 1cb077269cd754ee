/**
 * The sandbox Jira for the bench, listening on loopback, with an observer that sees every write
 * Pool Guard's account makes the moment its answer is sent (the bench measures "webhook sent" to
 * "label and comment present" from there, without polling).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createJiraSandbox, type JiraSandbox } from '@pool-guard/plugin-jira/sandbox';

export interface ObservedJira {
  sandbox: JiraSandbox;
  url: string;
  /** Called after each write of the bot account to an issue (id or key as in the path), when answered. */
  onBotWrite: ((issueRef: string, at: number) => void) | null;
  close(): Promise<void>;
}

const ISSUE_PATH = /^\/rest\/api\/3\/issue\/([^/?]+)/;

export async function startObservedJira(projects: { key: string; name: string }[]): Promise<ObservedJira> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server: Server = createServer((req, res) => handler(req, res));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sandbox = createJiraSandbox({ baseUrl: url, projects, webhookJitterMs: 0, webhookRetryDelayMs: 200 });
  const botAuth = `Basic ${Buffer.from(`${sandbox.users.bot.email}:${sandbox.users.bot.apiToken}`).toString('base64')}`;
  const observed: ObservedJira = {
    sandbox,
    url,
    onBotWrite: null,
    async close() {
      await sandbox.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  handler = (req, res) => {
    if (req.method !== 'GET' && req.headers.authorization === botAuth) {
      const m = ISSUE_PATH.exec(req.url ?? '');
      if (m) {
        const ref = decodeURIComponent(m[1]!);
        res.once('finish', () => {
          if (res.statusCode < 300) observed.onBotWrite?.(ref, Date.now());
        });
      }
    }
    sandbox.app(req, res);
  };
  return observed;
}
