/**
 * The whole of Pool Guard as deployed for scale-out, on one machine: the sandbox Jira (in the bench
 * process), the receiver alone and N workers (each a process), one private redis-server. The
 * sandbox sends signed webhooks to the receiver exactly as a Jira admin webhook would.
 */
import { Redis } from 'ioredis';
import type { ConnectionOptions } from 'bullmq';
import { createQueues, type PoolGuardQueues } from '@pool-guard/shared/queue';
import { LedgerStore, createKeySpace } from '@pool-guard/shared/store';
import { startObservedJira, type ObservedJira } from './jira-tracker.js';
import { JIRA_SECRET, JIRA_TENANT, startReceiver, startWorker, writeBenchConfig, type BenchConfig, type RunningService, type ServiceOptions } from './services.js';
import { sleep, waitFor } from './stats.js';

export const JIRA_EVENTS = ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted', 'comment_created'];

export interface FullStackOptions {
  redisUrl: string;
  prefix: string;
  projects: { key: string; name: string }[];
  workers: number;
  workerOptions?: ServiceOptions;
  receiverOptions?: ServiceOptions;
}

export class FullStack {
  readonly workers: RunningService[] = [];
  private workerDefaults: ServiceOptions = {};
  private constructor(
    readonly jira: ObservedJira,
    readonly config: BenchConfig,
    readonly receiver: RunningService,
    readonly redis: Redis,
    readonly store: LedgerStore,
    readonly queues: PoolGuardQueues,
    private readonly bull: Redis,
    readonly redisUrl: string,
  ) {}

  static async start(options: FullStackOptions): Promise<FullStack> {
    const jira = await startObservedJira(options.projects);
    const bot = jira.sandbox.users.bot;
    const config = writeBenchConfig({
      redisKeyPrefix: options.prefix,
      jira: { baseUrl: jira.url, email: bot.email, apiToken: bot.apiToken },
      linear: { apiUrl: 'http://127.0.0.1:9/graphql', apiKey: 'lin_api_unused' },
    });
    const receiver = await startReceiver(config, options.redisUrl, options.receiverOptions ?? {});
    jira.sandbox.registerWebhook({ url: `${receiver.url}/webhooks/jira/${JIRA_TENANT}`, secret: JIRA_SECRET, events: JIRA_EVENTS, name: 'Pool Guard' });
    const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 3 });
    const bull = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    const store = new LedgerStore({ redis, keys: createKeySpace(options.prefix) });
    const queues = createQueues(bull as unknown as ConnectionOptions, redis, options.prefix);
    const stack = new FullStack(jira, config, receiver, redis, store, queues, bull, options.redisUrl);
    stack.workerDefaults = options.workerOptions ?? {};
    await stack.startWorkers(options.workers);
    return stack;
  }

  async startWorkers(n: number, options: ServiceOptions = this.workerDefaults): Promise<void> {
    const started = await Promise.all(
      Array.from({ length: n }, (_, i) => startWorker(this.config, this.redisUrl, { ...options, name: `worker-${this.workers.length + i + 1}` })),
    );
    this.workers.push(...started);
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.child.stop()));
    this.workers.length = 0;
  }

  /** Deliveries on the ingest stream and jobs not finished yet on both queues. */
  async backlog(): Promise<number> {
    let n = await this.queues.ingest.backlog();
    for (const q of [this.queues.events, this.queues.writeback]) {
      const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused', 'waiting-children');
      n += Object.values(c).reduce((a, b) => a + b, 0);
    }
    return n;
  }

  /** Waits until no webhook is in flight and no job is left, three polls in a row. */
  async settle(timeoutMs: number): Promise<void> {
    let quiet = 0;
    await waitFor(
      async () => {
        await this.jira.sandbox.idle();
        quiet = (await this.backlog()) === 0 ? quiet + 1 : 0;
        return quiet >= 3;
      },
      'webhooks and jobs to settle',
      timeoutMs,
      50,
    );
  }

  async close(): Promise<void> {
    await this.stopWorkers();
    await this.receiver.child.stop();
    await this.jira.close();
    await this.queues.close();
    this.redis.disconnect();
    this.bull.disconnect();
    await sleep(10);
  }
}
