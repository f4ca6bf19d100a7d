import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EntryStore } from '../../lib/stores/entry-store.interface.js';
import { MemoryEntryStore } from '../../lib/stores/memory-entry.store.js';
import { RedisEntryStore } from '../../lib/stores/redis-entry.store.js';
import { uniqueNamespace } from '../support/app.js';
import { engineOver, planFor } from '../support/engine.js';

// A load under its lease gives the lease back with its fill (one command less per miss): whether
// the fill stores or is fenced off, the lease is free afterwards, and only the holder's fill frees it.
describe.each([
  ['Redis', () => new Redis(inject('redisUrl'))],
  ['Redis Cluster', () => new Cluster(inject('clusterNodes'))],
  ['memory', undefined],
] as const)('a fill under a lease, %s', (_, connect) => {
  let client: Redis | Cluster | undefined;
  let store: EntryStore;
  beforeAll(() => {
    client = connect?.();
    store = client ? new RedisEntryStore(client, { fenceTtlMs: 60_000 }) : new MemoryEntryStore(1_000, 60_000);
  });
  afterAll(async () => {
    await client?.quit();
  });
  const key = () => `{${uniqueNamespace()}:item:#1}`;
  /** The lease and the fill's ticket, as the engine takes them (in one call where the store has it). */
  const leased = async (entry: string) => {
    if (store.leaseAndBegin) return store.leaseAndBegin(entry, 'holder', 5_000, [], 60_000);
    if (!(await store.acquireLease(entry, 'holder', 5_000))) return false;
    return { ...(await store.begin(entry, [], 60_000)), lease: 'holder' };
  };
  /** True when another load can take the lease now. */
  const leaseFree = (entry: string) => store.acquireLease(entry, 'next', 5_000);

  it('stores and gives the lease back', async () => {
    const entry = key();
    const ticket = await leased(entry);
    if (!ticket) throw new Error('no lease');
    expect(ticket.lease).toBe('holder');
    expect(await store.fill(entry, ticket, Buffer.from('v'), 60_000)).toBe(true);
    expect(await leaseFree(entry)).toBe(true);
  });

  it('gives the lease back when the fill is fenced off (the entry was written since)', async () => {
    const entry = key();
    const ticket = await leased(entry);
    if (!ticket) throw new Error('no lease');
    await store.put(entry, Buffer.from('newer'), 60_000);
    expect(await store.fill(entry, ticket, Buffer.from('old'), 60_000)).toBe(false);
    expect(await leaseFree(entry)).toBe(true);
  });

  it('leaves a lease that another load took alone', async () => {
    const entry = key();
    const ticket = await store.begin(entry, [], 60_000);
    expect(await store.acquireLease(entry, 'other', 5_000)).toBe(true);
    // A fill naming a lease it does not hold (the lease expired and was taken again) frees nothing.
    expect(await store.fill(entry, { ...ticket, lease: 'holder' }, Buffer.from('v'), 60_000)).toBe(true);
    expect(await leaseFree(entry)).toBe(false);
  });
});

// The fill gives the lease back only if it reaches the store: a fill that fails (or is skipped by an
// open breaker) leaves the release to be sent, as before, or every instance's caller of the key
// would wait for a lease nobody fills.
describe('a load whose fill fails', () => {
  let client: Redis;
  beforeAll(() => {
    client = new Redis(inject('redisUrl'));
  });
  afterAll(async () => {
    await client.quit();
  });

  it('still gives its lease back', async () => {
    const inner = new RedisEntryStore(client, { fenceTtlMs: 60_000 });
    const failingFills = new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'fill')
          return () => Promise.reject(new Error('READONLY You can not write against a read only replica.'));
        const member = Reflect.get(target, property, receiver) as unknown;
        return typeof member === 'function' ? member.bind(target) : member;
      },
    });
    const entry = `{${uniqueNamespace()}:item:#1}`;
    const cache = engineOver(failingFills);
    const plan = planFor(entry, [], { lock: { waitMs: 5_000, leaseMs: 5_000 } });
    expect(await cache.getOrLoad(plan, async () => 'loaded')).toBe('loaded');
    await new Promise((done) => setTimeout(done, 50)); // the release is not awaited
    expect(await inner.acquireLease(entry, 'next', 5_000)).toBe(true);
  });
});
