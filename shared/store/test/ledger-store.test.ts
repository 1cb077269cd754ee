import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { admitRequests, poolIdOf, type PoolRequest } from '../../domain/index.js';
import { connectTestRedis, uniquePrefix } from '../../testing/index.js';
import { createKeySpace } from '../keys.js';
import { LedgerStore } from '../ledger-store.js';

function request(overrides: Partial<PoolRequest> = {}): PoolRequest {
  return {
    key: 'CR-1',
    id: '10001',
    title: 'Export for ACME',
    scope: 'CR',
    quarter: '2026-Q4',
    days: 3,
    committed: false,
    rank: '0|i00001:',
    createdAt: '2026-10-01T10:00:00.000Z',
    updatedAt: '2026-10-01T10:00:00.000Z',
    ...overrides,
  };
}

describe('LedgerStore on a real Redis', () => {
  let redis: Redis;
  let store: LedgerStore;
  const tenant = 'acme';

  beforeAll(() => {
    redis = connectTestRedis();
    store = new LedgerStore({ redis, keys: createKeySpace(uniquePrefix('ledger')) });
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('adds a request to its pool and moves it when its quarter changes', async () => {
    const r1 = request({ id: 'move-1', key: 'CR-10' });
    const first = await store.applyTicketChange(tenant, r1.id, { kind: 'upsert', updatedAt: r1.updatedAt, request: r1 }, { key: r1.key, excluded: null });
    expect(first).toMatchObject({ applied: true, affectedPools: ['CR/2026-Q4'] });

    const moved = { ...r1, quarter: '2027-Q1', updatedAt: '2026-10-02T10:00:00.000Z' };
    const second = await store.applyTicketChange(tenant, r1.id, { kind: 'upsert', updatedAt: moved.updatedAt, request: moved }, { key: r1.key, excluded: null });
    expect(second).toMatchObject({ applied: true, affectedPools: ['CR/2026-Q4', 'CR/2027-Q1'] });

    const q4 = await store.readPool(tenant, 'CR/2026-Q4');
    const q1 = await store.readPool(tenant, 'CR/2027-Q1');
    expect(q4.requests.map((r) => r.id)).not.toContain('move-1');
    expect(q1.requests.map((r) => r.id)).toContain('move-1');
    expect(q1.scope).toBe('CR');
    expect(q1.quarter).toBe('2027-Q1');
  });

  it('ignores a stale event and a repeat, and never resurrects a deleted ticket', async () => {
    const r = request({ id: 'stale-1', key: 'CR-11', updatedAt: '2026-10-05T00:00:00.000Z' });
    await store.applyTicketChange(tenant, r.id, { kind: 'upsert', updatedAt: r.updatedAt, request: r }, { key: r.key, excluded: null });
    const older = { ...r, days: 9, updatedAt: '2026-10-04T00:00:00.000Z' };
    expect(await store.applyTicketChange(tenant, r.id, { kind: 'upsert', updatedAt: older.updatedAt, request: older }, { key: r.key, excluded: null })).toEqual({ applied: false, reason: 'stale' });
    expect(await store.applyTicketChange(tenant, r.id, { kind: 'upsert', updatedAt: r.updatedAt, request: r }, { key: r.key, excluded: null })).toEqual({ applied: false, reason: 'unchanged' });

    const del = await store.applyTicketChange(tenant, r.id, { kind: 'delete' }, { key: r.key, excluded: null });
    expect(del).toMatchObject({ applied: true, deleted: true, affectedPools: ['CR/2026-Q4'] });
    const newer = { ...r, updatedAt: '2026-12-01T00:00:00.000Z' };
    expect(await store.applyTicketChange(tenant, r.id, { kind: 'upsert', updatedAt: newer.updatedAt, request: newer }, { key: r.key, excluded: null })).toEqual({ applied: false, reason: 'deleted' });
    const pool = await store.readPool(tenant, 'CR/2026-Q4');
    expect(pool.requests.map((x) => x.id)).not.toContain('stale-1');
    expect(await redis.ttl(store.keys.tenant(tenant).ticket(r.id))).toBeGreaterThan(0);
  });

  it('brings back a ticket whose deletion came with its instant when a newer version arrives (Linear trash, then undo)', async () => {
    const r = request({ id: 'trash-1', key: 'ENG-11', scope: 'ENG', updatedAt: '2026-10-05T00:00:00.000Z' });
    const meta = { key: r.key, excluded: null };
    await store.applyTicketChange(tenant, r.id, { kind: 'upsert', updatedAt: r.updatedAt, request: r }, meta);
    const trashed = await store.applyTicketChange(tenant, r.id, { kind: 'delete', at: '2026-10-06T00:00:00.000Z' }, meta);
    expect(trashed).toMatchObject({ applied: true, deleted: true, affectedPools: ['ENG/2026-Q4'] });
    const ticketKey = store.keys.tenant(tenant).ticket(r.id);
    expect(await redis.ttl(ticketKey)).toBeGreaterThan(0);
    expect((await store.getTicket(tenant, r.id))?.state).toEqual({ deleted: true, updatedAt: '2026-10-06T00:00:00.000Z', request: null, revivable: true });
    // A version read before the deletion does not bring it back.
    expect(await store.applyTicketChange(tenant, r.id, { kind: 'upsert', updatedAt: r.updatedAt, request: r }, meta)).toEqual({ applied: false, reason: 'deleted' });

    const restored = { ...r, updatedAt: '2026-10-07T00:00:00.000Z' };
    const back = await store.applyTicketChange(tenant, r.id, { kind: 'upsert', updatedAt: restored.updatedAt, request: restored }, meta);
    expect(back).toMatchObject({ applied: true, deleted: false, previous: null, affectedPools: ['ENG/2026-Q4'] });
    expect((await store.readPool(tenant, 'ENG/2026-Q4')).requests.map((x) => x.id)).toContain('trash-1');
    expect(await redis.ttl(ticketKey)).toBe(-1); // no longer a tombstone
    // The deletion's late redelivery is stale now.
    expect(await store.applyTicketChange(tenant, r.id, { kind: 'delete', at: '2026-10-06T00:00:00.000Z' }, meta)).toEqual({ applied: false, reason: 'stale' });
  });

  it('keeps a deleted ticket out when its deletion came before any version of it (a late read from before the deletion)', async () => {
    // Found by the ledger model test: a worker reads a new ticket, stalls; the ticket is deleted and
    // the deletion is applied by another worker before the first one stores what it read.
    const r = request({ id: 'early-delete-1', key: 'CR-13', updatedAt: '2026-10-05T00:00:00.000Z' });
    const meta = { key: r.key, excluded: null };
    const del = await store.applyTicketChange(tenant, r.id, { kind: 'delete', at: r.updatedAt }, meta);
    expect(del).toMatchObject({ applied: true, deleted: true, affectedPools: [] });
    expect(await store.applyTicketChange(tenant, r.id, { kind: 'upsert', updatedAt: r.updatedAt, request: r }, meta)).toEqual({ applied: false, reason: 'deleted' });
    expect((await store.readPool(tenant, poolIdOf(r))).requests.map((x) => x.id)).not.toContain(r.id);
    expect(await redis.ttl(store.keys.tenant(tenant).ticket(r.id))).toBeGreaterThan(0); // a tombstone, not a record kept for good

    // Without the deletion's instant (a payload that lacks it) the deletion is final.
    const final = request({ id: 'early-delete-2', key: 'CR-14' });
    expect(await store.applyTicketChange(tenant, final.id, { kind: 'delete' }, { key: final.key, excluded: null })).toMatchObject({ applied: true, deleted: true });
    expect(await store.applyTicketChange(tenant, final.id, { kind: 'upsert', updatedAt: final.updatedAt, request: final }, { key: final.key, excluded: null })).toEqual({ applied: false, reason: 'deleted' });
  });

  it('keeps an expiring record of a ticket that never counted, so an older read stored late cannot count it', async () => {
    // A worker read the ticket while it was still a custom request; the label was removed, and
    // another worker stored its newer read first. The older read, stored late, is stale.
    const older = request({ id: 'plain-1', key: 'CR-99', updatedAt: '2026-10-01T00:00:00.000Z' });
    const meta = { key: 'CR-99', excluded: 'no-longer-custom' as const };
    const res = await store.applyTicketChange(tenant, 'plain-1', { kind: 'upsert', updatedAt: '2026-10-01T00:00:01.000Z', request: null }, meta);
    expect(res).toEqual({ applied: true, previous: null, next: null, affectedPools: [], deleted: false });
    const ticketKey = store.keys.tenant(tenant).ticket('plain-1');
    const ttl = await redis.ttl(ticketKey);
    expect(ttl).toBeGreaterThan(6 * 24 * 3600);
    expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600);
    expect(await store.applyTicketChange(tenant, 'plain-1', { kind: 'upsert', updatedAt: older.updatedAt, request: older }, { key: 'CR-99', excluded: null })).toEqual({ applied: false, reason: 'stale' });
    expect((await store.readPool(tenant, poolIdOf(older))).requests.map((x) => x.id)).not.toContain('plain-1');
    // The same read again changes nothing.
    expect(await store.applyTicketChange(tenant, 'plain-1', { kind: 'upsert', updatedAt: '2026-10-01T00:00:01.000Z', request: null }, meta)).toEqual({ applied: false, reason: 'unchanged' });

    // Once it counts, its record is kept for good; when it stops counting, it expires again.
    const counted = request({ id: 'plain-1', key: 'CR-99', updatedAt: '2026-10-01T00:00:02.000Z' });
    await store.applyTicketChange(tenant, 'plain-1', { kind: 'upsert', updatedAt: counted.updatedAt, request: counted }, { key: 'CR-99', excluded: null });
    expect(await redis.ttl(ticketKey)).toBe(-1);
    expect((await store.readPool(tenant, poolIdOf(counted))).requests.map((x) => x.id)).toContain('plain-1');
    await store.applyTicketChange(tenant, 'plain-1', { kind: 'upsert', updatedAt: '2026-10-01T00:00:03.000Z', request: null }, meta);
    expect(await redis.ttl(ticketKey)).toBeGreaterThan(6 * 24 * 3600);
    expect(await store.getTicket(tenant, 'plain-1')).toMatchObject({ key: 'CR-99', excluded: 'no-longer-custom', state: { request: null } });
  });

  it('applies concurrent changes to one ticket exactly once each (compare-and-set)', async () => {
    const base = request({ id: 'race-1', key: 'CR-12', scope: 'RACE' });
    const versions = Array.from({ length: 20 }, (_, i) => ({
      ...base,
      days: i + 1,
      updatedAt: new Date(Date.UTC(2026, 9, 1, 0, 0, i)).toISOString(),
    }));
    await Promise.all(
      versions.map((v) => store.applyTicketChange(tenant, v.id, { kind: 'upsert', updatedAt: v.updatedAt, request: v }, { key: v.key, excluded: null })),
    );
    const record = await store.getTicket(tenant, base.id);
    expect(record?.state.request?.days).toBe(20);
    const pool = await store.readPool(tenant, poolIdOf(base));
    expect(pool.requests).toHaveLength(1);
    expect(pool.requests[0]?.days).toBe(20);
  });

  it('commits an outcome only at the version it was computed from, and clears the dirty mark', async () => {
    const r = request({ id: 'out-1', key: 'OUT-1', scope: 'OUT' });
    await store.applyTicketChange(tenant, r.id, { kind: 'upsert', updatedAt: r.updatedAt, request: r }, { key: r.key, excluded: null });
    const poolId = poolIdOf(r);
    expect(await store.dirtyPoolIds(tenant)).toContain(poolId);
    const snap = await store.readPool(tenant, poolId);
    const outcome = admitRequests({ limitDays: 10, warnAtPercent: 80 }, snap.requests);
    await store.setPoolSettings(tenant, poolId, { limitDays: 10, warnAtPercent: 80 });
    expect(await store.commitOutcome(tenant, poolId, snap.version, outcome)).toBe(false);
    const fresh = await store.readPool(tenant, poolId);
    expect(fresh.settings).toMatchObject({ limitDays: 10, warnAtPercent: 80 });
    expect(await store.commitOutcome(tenant, poolId, fresh.version, outcome)).toBe(true);
    expect(await store.dirtyPoolIds(tenant)).not.toContain(poolId);
    expect((await store.readPool(tenant, poolId)).outcome?.version).toBe(fresh.version);
  });

  it('keeps every key of a tenant under one hash tag', async () => {
    const keys = await redis.keys(`${store.keys.prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k).toMatch(/^[^{]*\{t:acme\}/);
  });

  it('records what was last written to a ticket', async () => {
    expect(await store.getWritten(tenant, 'w-1')).toBeNull();
    await store.setWritten(tenant, 'w-1', { label: 'pool-ok', badge: '{"a":1}', comment: 'text', commentId: '77' });
    expect(await store.getWritten(tenant, 'w-1')).toEqual({ label: 'pool-ok', badge: '{"a":1}', comment: 'text', commentId: '77' });
  });

  it('reads a ticket and what was written to it together, as the two reads alone do', async () => {
    expect(await store.getTicketAndWritten(tenant, 'tw-1')).toEqual({ record: null, written: null });
    const r = request({ id: 'tw-1', key: 'CR-21' });
    await store.applyTicketChange(tenant, r.id, { kind: 'upsert', updatedAt: r.updatedAt, request: r }, { key: r.key, excluded: null });
    const before = await store.getTicketAndWritten(tenant, 'tw-1');
    expect(before).toEqual({ record: await store.getTicket(tenant, 'tw-1'), written: null });
    expect(before.record?.state.request?.key).toBe('CR-21');
    await store.setWritten(tenant, 'tw-1', { label: 'pool-ok', badge: null, comment: 'text', commentId: null, uncertain: true });
    expect(await store.getTicketAndWritten(tenant, 'tw-1')).toEqual({ record: before.record, written: await store.getWritten(tenant, 'tw-1') });
    expect((await store.getTicketAndWritten(tenant, 'tw-1')).written).toEqual({ label: 'pool-ok', badge: null, comment: 'text', commentId: null, uncertain: true });
  });
});
