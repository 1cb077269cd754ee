/**
 * `PoolGuardQueues.add` with a deduplication id: an add whose id this process queued lately, and
 * which a job that has not started still holds, sends no BullMQ script (the queue's job-id counter,
 * which every run of the add script draws from, does not move); an add after the job gave its id
 * up queues a new job. Real Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectTestRedis, uniquePrefix } from '../../testing/index.js';
import { createQueues, type PoolGuardQueues } from '../index.js';

describe('queue adds with a deduplication id', () => {
  let commands: Redis;
  let bull: Redis;
  let queues: PoolGuardQueues;
  /** The same queues as another process sees them. */
  let elsewhere: PoolGuardQueues;

  beforeAll(() => {
    commands = connectTestRedis();
    bull = connectTestRedis({ forBlocking: true });
    const prefix = uniquePrefix('queues');
    queues = createQueues(bull as unknown as ConnectionOptions, commands, prefix);
    elsewhere = createQueues(bull as unknown as ConnectionOptions, commands, prefix);
  });
  afterAll(async () => {
    await queues.writeback.obliterate({ force: true });
    await queues.close();
    await elsewhere.close();
    commands.disconnect();
    bull.disconnect();
  });

  /** Runs of BullMQ's add script on the write-back queue so far (each draws a job id). */
  const scriptRuns = async () => Number((await commands.get(queues.writeback.toKey('id'))) ?? 0);
  const add = (ticketId: string, deduplication: { id: string; ttl?: number }) =>
    queues.add('tracker.writeback', { tenant: 'acme', ticketId }, { delay: 60_000, deduplication });

  it('sends nothing but a key check while the id is taken, and queues anew once the job gave it up', async () => {
    await add('1', { id: 'acme:1' });
    expect(await scriptRuns()).toBe(1);
    await Promise.all(Array.from({ length: 10 }, () => add('1', { id: 'acme:1' })));
    expect(await scriptRuns()).toBe(1);
    expect(await queues.writeback.getDelayedCount()).toBe(1);

    // The job starts and gives its id up (as a write-back does before it reads the ticket).
    const [job] = await queues.writeback.getDelayed();
    expect(await job!.removeDeduplicationKey()).toBe(true);
    await add('1', { id: 'acme:1' });
    expect(await scriptRuns()).toBe(2);
    expect(await queues.writeback.getDelayedCount()).toBe(2);
  });

  it("sends an id this process did not queue lately straight to BullMQ's script, which still deduplicates it", async () => {
    await add('3', { id: 'acme:3' });
    const before = await scriptRuns();
    const delayed = await queues.writeback.getDelayedCount();
    await elsewhere.add('tracker.writeback', { tenant: 'acme', ticketId: '3' }, { delay: 60_000, deduplication: { id: 'acme:3' } });
    expect((await scriptRuns()) - before).toBe(1);
    expect(await queues.writeback.getDelayedCount()).toBe(delayed);
    // Once it has queued the id itself, that process checks the key first too.
    await elsewhere.add('tracker.writeback', { tenant: 'acme', ticketId: '3' }, { delay: 60_000, deduplication: { id: 'acme:3' } });
    await elsewhere.add('tracker.writeback', { tenant: 'acme', ticketId: '3' }, { delay: 60_000, deduplication: { id: 'acme:3' } });
    expect((await scriptRuns()) - before).toBe(1);
  });

  it('leaves deduplication with a ttl to BullMQ (its script runs, and still adds one job)', async () => {
    const before = await scriptRuns();
    const delayed = await queues.writeback.getDelayedCount();
    await add('2', { id: 'acme:2', ttl: 60_000 });
    await add('2', { id: 'acme:2', ttl: 60_000 });
    expect((await scriptRuns()) - before).toBe(2);
    expect((await queues.writeback.getDelayedCount()) - delayed).toBe(1);
  });
});
