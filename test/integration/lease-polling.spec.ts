import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EntryStore, FillTicket, StoredRead } from '../../lib/stores/entry-store.interface.js';
import { RedisEntryStore } from '../../lib/stores/redis-entry.store.js';
import { uniqueNamespace } from '../support/app.js';
import { sleep } from '../support/chaos-store.js';
import { engineOver, planFor } from '../support/engine.js';

const TIMES = { fenceTtlMs: 60_000, tagTtlMs: 3_600_000 };
const LOCK = { waitMs: 5_000, leaseMs: 5_000 };
const LOAD_MS = 1_000;

/** A real Redis store that counts the reads and lease attempts sent through it. */
class CountingStore implements EntryStore {
  readonly kind = 'redis';
  reads = 0;
  leaseAttempts = 0;

  constructor(private readonly inner: EntryStore) {}

  read(key: string, tags: readonly string[]): Promise<StoredRead> {
    this.reads++;
    return this.inner.read(key, tags);
  }
  begin(key: string, tags: readonly string[], tagLifeMs: number): Promise<FillTicket> {
    return this.inner.begin(key, tags, tagLifeMs);
  }
  tagVersions(tags: readonly string[], tagLifeMs: number): Promise<string[]> {
    return this.inner.tagVersions(tags, tagLifeMs);
  }
  fill(key: string, ticket: FillTicket, payload: Uint8Array, ttlMs: number): Promise<boolean> {
    return this.inner.fill(key, ticket, payload, ttlMs);
  }
  put(key: string, payload: Uint8Array, ttlMs: number): Promise<void> {
    return this.inner.put(key, payload, ttlMs);
  }
  invalidate(keys: readonly string[]): Promise<void> {
    return this.inner.invalidate(keys);
  }
  invalidateTags(tags: readonly string[]): Promise<void> {
    return this.inner.invalidateTags(tags);
  }
  probe(): Promise<void> {
    return this.inner.probe();
  }
  acquireLease(key: string, token: string, ttlMs: number): Promise<boolean> {
    this.leaseAttempts++;
    return this.inner.acquireLease(key, token, ttlMs);
  }
  releaseLease(key: string, token: string, holdMs?: number): Promise<void> {
    return this.inner.releaseLease(key, token, holdMs);
  }
}

/** Instances waiting for another instance's load (cross-instance single-flight) poll Redis gently. */
describe('lease waiters', () => {
  let clients: Redis[];
  beforeAll(() => {
    clients = [0, 1].map(() => new Redis(inject('redisUrl')));
  });
  afterAll(() => Promise.all(clients.map((c) => c.quit())));

  it('a waiter of a 1 s load polls far fewer than 250 times, and still gets the holder its value', async () => {
    const holderStore = new CountingStore(new RedisEntryStore(clients[0], TIMES));
    const waiterStores = [0, 1, 2].map(() => new CountingStore(new RedisEntryStore(clients[1], TIMES)));
    const holder = engineOver(holderStore);
    const waiters = waiterStores.map((store) => engineOver(store));
    const ns = uniqueNamespace();
    const plan = () => planFor(`{${ns}:cold:1}`, [], { lock: LOCK });
    let loads = 0;
    let loadedAt = 0;
    let started!: () => void;
    const holderLoading = new Promise<void>((resolve) => (started = resolve));
    const holding = holder.getOrLoad(plan(), async () => {
      loads++;
      started();
      await sleep(LOAD_MS);
      loadedAt = performance.now();
      return 'from the holder';
    });
    await holderLoading; // under its lease
    const waited = await Promise.all(
      waiters.map(async (waiter) => {
        const value = await waiter.getOrLoad(plan(), async () => {
          loads++;
          return 'from a waiter';
        });
        return { value, lateMs: performance.now() - loadedAt };
      }),
    );
    expect(await holding).toBe('from the holder');
    expect(waited.map((w) => w.value)).toEqual(['from the holder', 'from the holder', 'from the holder']);
    expect(loads).toBe(1);

    const polls = waiterStores.map((store) => store.reads);
    const leaseAttempts = waiterStores.map((store) => store.leaseAttempts);
    // Printed for the record: the polls per waiter and how long after the load each waiter got the value.
    console.log(
      `lease waiters of a ${LOAD_MS} ms load: reads ${polls.join('/')}, lease attempts ${leaseAttempts.join('/')}, ` +
        `got the value ${waited.map((w) => w.lateMs.toFixed(1)).join('/')} ms after the load ended`,
    );
    for (const count of [...polls, ...leaseAttempts]) expect(count).toBeLessThan(60);
  });

  it('a waiter whose callers all timed out (loadTimeout) stops polling, and never loads itself', async () => {
    const holder = engineOver(new RedisEntryStore(clients[0], TIMES));
    const waiterStore = new CountingStore(new RedisEntryStore(clients[1], TIMES));
    const waiter = engineOver(waiterStore);
    const plan = planFor(`{${uniqueNamespace()}:hung:1}`, [], { lock: LOCK, loadTimeoutMs: 200 });
    let started!: () => void;
    const holderLoading = new Promise<void>((resolve) => (started = resolve));
    const hung = holder.getOrLoad(plan, () => {
      started();
      return new Promise(() => undefined);
    });
    await holderLoading; // under its lease
    let waiterLoads = 0;
    const waiting = waiter.getOrLoad(plan, async () => {
      waiterLoads++;
      return 'from the waiter';
    });
    await Promise.all([
      expect(waiting).rejects.toMatchObject({ code: 'CACHEKIT_LOAD_TIMEOUT' }),
      expect(hung).rejects.toMatchObject({ code: 'CACHEKIT_LOAD_TIMEOUT' }),
    ]);
    await sleep(100); // a poll in progress ends
    const pollsAtTimeout = waiterStore.reads + waiterStore.leaseAttempts;
    await sleep(LOCK.waitMs / 5);
    expect(waiterStore.reads + waiterStore.leaseAttempts).toBe(pollsAtTimeout);
    expect(waiterLoads).toBe(0);
  });
});
