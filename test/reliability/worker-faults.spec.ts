import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { CacheKit, defineCache } from '../../lib/index.js';
import { uniqueNamespace } from '../support/app.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';
import { RestartableRedis, startRestartableRedis } from '../support/restartable-redis.js';
import { TrafficConfig, TrafficStats, TrafficWorker, sumStats } from '../support/traffic-workers.js';
import { Apps, MARGIN_MS, sleep } from './reliability.helpers.js';

const BUILT = fileURLToPath(new URL('../../dist/lib/index.js', import.meta.url));
const LEASE_MS = 1_000;
const OPERATION_TIMEOUT_MS = 200;
const LOADER_MS = 20;
/**
 * A caller may join a read or load its process began before another instance's eviction landed
 * (held as an expected failure in join-after-eviction.spec.ts): older values read this soon after
 * a landing are counted apart. Far longer than any read or load here, far shorter than an outage.
 */
const JOIN_GRACE_MS = 500;
/** Every row the cache holds matches the database: no eviction was lost. */
async function expectCacheMatchesDatabase(cache: CacheKit, db: Redis, namespace: string, keys: number): Promise<void> {
  const mismatched: number[] = [];
  for (let id = 1; id <= keys; id++) {
    const cached = (await cache.get(traffic, id)) as { version: number } | undefined;
    const version = Number(await db.get(`${namespace}:row:${id}`));
    if (cached !== undefined && cached.version !== version) mismatched.push(id);
  }
  expect(mismatched).toEqual([]);
}

/** The workers' definition (same name and key: the same entries). */
const traffic = defineCache({
  name: 'traffic',
  key: (id: number) => id,
  ttl: '1m',
  singleFlight: { wait: '5s', lease: `${LEASE_MS}ms` },
});

/**
 * The writer: commits a new version of a random row in the "database" and evicts it, one at a
 * time; once the store confirmed an eviction (at once, or by a retry) it records the version as
 * the floor no later read may go below.
 */
class Writer {
  writes = 0;
  queued = 0;
  landed = 0;
  #running = true;
  readonly #done: Promise<void>;

  constructor(cache: CacheKit, db: Redis, namespace: string, keys: number, everyMs: number) {
    this.#done = (async () => {
      while (this.#running) {
        const id = 1 + Math.floor(Math.random() * keys);
        const version = await db.incr(`${namespace}:row:${id}`);
        const floor = () => db.set(`${namespace}:evicted:${id}`, `${version}:${Date.now()}`).then(() => undefined);
        const confirmed = await cache.evictMany(
          { keys: [{ definition: traffic, args: [id] }] },
          { onOutcome: (outcome) => outcome === 'retried' && (this.landed++, void floor()) },
        );
        if (confirmed) await floor();
        else this.queued++;
        this.writes++;
        await sleep(everyMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }
}

async function seedRows(db: Redis, namespace: string, keys: number): Promise<void> {
  const rows = Array.from({ length: keys + 10 }, (_, i) => [`${namespace}:row:${i + 1}`, '1']).flat();
  await db.mset(rows);
}

const ratio = (s: TrafficStats) => (s.calls === 0 ? 0 : s.hits / s.calls);
const describeStats = (s: TrafficStats) =>
  `${s.calls} calls, ${s.failed} failed, max ${s.maxMs.toFixed(0)} ms, hit ratio ${ratio(s).toFixed(2)}, ${s.stale.length} stale (${s.joinedBefore} joined before the eviction)`;

describe('worker processes under load (3 app instances on the built package)', () => {
  const apps = new Apps();
  let workers: TrafficWorker[] = [];
  let writer: Writer | undefined;
  let cacheServer: RedisServer | undefined;
  let restartable: RestartableRedis | undefined;
  let db: Redis;
  beforeAll(() => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run 'npm run build' first ('npm test' does).`);
  });
  afterEach(async () => {
    await writer?.stop();
    writer = undefined;
    await Promise.all(workers.map((w) => w.close()));
    workers = [];
    await apps.close();
    await cacheServer?.stop();
    await restartable?.dispose();
    cacheServer = restartable = undefined;
    await db?.quit();
  });

  async function startWorkers(config: TrafficConfig, count = 3): Promise<TrafficWorker[]> {
    const started = await Promise.all(Array.from({ length: count }, () => TrafficWorker.start(config)));
    workers.push(...started);
    return started;
  }

  it('one worker SIGKILLed with a load in flight: the survivors never fail, its lease expires and one survivor loads once, no stale read, the restarted worker serves', async () => {
    cacheServer = await startRedisServer();
    db = new Redis(inject('redisUrl'));
    const namespace = uniqueNamespace();
    const KEYS = 50;
    await seedRows(db, namespace, KEYS);
    const config: TrafficConfig = {
      cacheUrl: cacheServer.url,
      dbUrl: inject('redisUrl'),
      namespace,
      keys: KEYS,
      inFlight: 16,
      loaderMs: LOADER_MS,
      leaseMs: LEASE_MS,
      waitMs: 5_000,
      operationTimeoutMs: OPERATION_TIMEOUT_MS,
      joinGraceMs: JOIN_GRACE_MS,
    };
    const [victim, ...survivors] = await startWorkers(config);
    const cache = await apps.boot({ redis: cacheServer.url, namespace, operationTimeout: '1s' });
    for (const w of workers) w.traffic();
    writer = new Writer(cache, db, namespace, KEYS, 30);
    await sleep(1_000);
    await Promise.all(workers.map((w) => w.stats())); // warm-up, not judged

    // The victim holds the lease of a cold row (outside the traffic's ids) and is killed loading it.
    const cold = KEYS + 1;
    await victim!.load(cold, 60_000);
    const waiting = survivors.map((w) => w.read(cold, 8));
    await sleep(100); // the survivors' readers wait on the victim's lease
    await victim!.kill();
    const killedAt = performance.now();
    const reads = await Promise.all(waiting);
    const coldMs = performance.now() - killedAt;
    await sleep(1_000);
    const afterKill = sumStats(await Promise.all(survivors.map((w) => w.stats())));

    const [restarted] = await startWorkers(config, 1);
    restarted!.traffic();
    await sleep(1_500);
    const [restartedStats, ...survivorStats] = await Promise.all([
      restarted!.stats(),
      ...survivors.map((w) => w.stats()),
    ]);
    await writer.stop();
    writer = undefined;

    const coldLoads = Number(await db.get(`${namespace}:loads:${cold}`));
    console.log(
      `[faults] worker SIGKILLed: survivors after the kill ${describeStats(afterKill)}; the held lease's readers answered ` +
        `${coldMs.toFixed(0)} ms after the kill (lease ${LEASE_MS} ms), ${coldLoads} loads of it in all; ` +
        `restarted worker ${describeStats(restartedStats!)}`,
    );
    for (const { values } of reads) expect(values).toEqual(Array(8).fill({ id: cold, version: 1 }));
    expect(coldLoads).toBe(2); // the victim's, then one survivor's once the lease expired
    expect(coldMs).toBeLessThan(LEASE_MS + 2 * MARGIN_MS);
    for (const stats of [afterKill, restartedStats!, ...survivorStats]) {
      expect(stats.errors).toEqual([]);
      expect(stats.failed).toBe(0);
      expect(stats.stale).toEqual([]);
      expect(stats.calls).toBeGreaterThan(0);
    }
    expect(ratio(restartedStats!)).toBeGreaterThan(0.5);
    await expectCacheMatchesDatabase(cache, db, namespace, KEYS);
  }, 60_000);

  it('Redis SIGKILLed under 3 workers x 64 in flight (200 keys), restarted 4 s later: 0 failed calls, bounded calls, hits recover, nothing evicted in the outage is served after its eviction landed', async () => {
    restartable = await startRestartableRedis();
    db = new Redis(inject('redisUrl'));
    const namespace = uniqueNamespace();
    const KEYS = 200;
    await seedRows(db, namespace, KEYS);
    const config: TrafficConfig = {
      cacheUrl: restartable.url,
      dbUrl: inject('redisUrl'),
      namespace,
      keys: KEYS,
      inFlight: 64,
      loaderMs: LOADER_MS,
      leaseMs: LEASE_MS,
      waitMs: 5_000,
      operationTimeoutMs: OPERATION_TIMEOUT_MS,
      joinGraceMs: JOIN_GRACE_MS,
    };
    await startWorkers(config);
    const cache = await apps.boot({
      redis: restartable.url,
      namespace,
      operationTimeout: `${OPERATION_TIMEOUT_MS}ms`,
      evictionRetry: { initialDelay: '50ms', maxDelay: '500ms' },
    });
    for (const w of workers) w.traffic();
    writer = new Writer(cache, db, namespace, KEYS, 50);
    await sleep(1_500);
    await Promise.all(workers.map((w) => w.stats())); // warm-up
    await sleep(1_500);
    const before = sumStats(await Promise.all(workers.map((w) => w.stats())));

    await restartable.kill();
    await sleep(4_000);
    const outage = sumStats(await Promise.all(workers.map((w) => w.stats())));
    const queuedInOutage = writer.queued;
    await restartable.start();
    await sleep(1_000);
    const recovering = sumStats(await Promise.all(workers.map((w) => w.stats())));
    await sleep(2_000);
    const after = sumStats(await Promise.all(workers.map((w) => w.stats())));
    await writer.stop();
    const { queued: queuedAll, landed: landedAll } = writer;
    writer = undefined;

    console.log(
      `[faults] Redis SIGKILLed for 4 s under 3 x 64 callers: before ${describeStats(before)}; outage ${describeStats(outage)} ` +
        `(${queuedInOutage} evictions queued); first second back ${describeStats(recovering)}; after ${describeStats(after)}`,
    );
    expect(queuedInOutage).toBeGreaterThan(0);
    expect(cache.storeStats().pendingEvictions).toBe(0);
    expect(landedAll).toBe(queuedAll); // every eviction queued in the outage landed
    await expectCacheMatchesDatabase(cache, db, namespace, KEYS);
    for (const stats of [before, outage, recovering, after]) {
      expect(stats.errors).toEqual([]);
      expect(stats.failed).toBe(0);
      expect(stats.stale).toEqual([]);
    }
    // No call waits more than the loader plus one deadline, with slack for 192 callers on 2 cores.
    expect(outage.maxMs).toBeLessThan(LOADER_MS + OPERATION_TIMEOUT_MS + 1_000);
    expect(ratio(after)).toBeGreaterThan(0.4); // 0.60-0.91 observed (0.18 in the outage); the writer keeps evicting
  }, 60_000);
});
