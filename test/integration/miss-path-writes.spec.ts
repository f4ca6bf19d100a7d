import { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHEKIT_REDIS, CacheKit, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';

const CALLERS = 200;
const products = defineCache({
  name: 'cold',
  key: (id: number) => id,
  ttl: '1m',
  tags: (id: number) => [`p:${id}`],
});

/** Counts the writes that reach the socket (one each, or one for all a cork held back). */
function countSocketWrites(stream: Writable): { writes: () => number; restore: () => void } {
  const target = stream as Writable & { _write: Writable['_write']; _writev?: Writable['_writev'] };
  const write = target._write;
  const writev = target._writev;
  let writes = 0;
  target._write = function (...args) {
    writes++;
    return write.apply(this, args);
  };
  if (writev) {
    target._writev = function (...args) {
      writes++;
      return writev.apply(this, args);
    };
  }
  return {
    writes: () => writes,
    restore: () => {
      target._write = write;
      target._writev = writev;
    },
  };
}

// A cold start (a deploy, a flush) is a burst of misses on different keys: each sends a read, a
// lease with its fence, a fill and a lease release. Sent one socket write each, they cost more
// CPU than the loads' own work; commands issued in the same tick while others are in flight share
// one write, as concurrent reads do.
describe('a burst of misses on Redis', () => {
  let server: RedisServer;
  let app: INestApplicationContext;
  let cache: CacheKit;

  beforeAll(async () => {
    server = await startRedisServer();
    app = await bootApp({ redis: server.url, namespace: uniqueNamespace() });
    cache = app.get(CacheKit);
    await cache.getOrSet(products, [-1], async () => ({ id: -1 })); // the server learns the scripts
  });
  afterAll(async () => {
    await app.close();
    await server.stop();
  });

  it('gives the lease back with the fill: no release of its own', async () => {
    const redis = app.get<Redis>(CACHEKIT_REDIS);
    const admin = new Redis(server.url);
    try {
      await redis.ping(); // the set-up's fill has run
      await admin.config('RESETSTAT');
      expect(await cache.getOrSet(products, [1_000], async () => ({ id: 1_000 }))).toEqual({ id: 1_000 });
      await redis.ping(); // what the miss sent without waiting has run
      const info = await admin.info('commandstats');
      const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
      // The lease with the fill's snapshot, the versions of the name's generation and of the tag,
      // the fill (which deletes the lease).
      expect(calls('evalsha')).toBe(4);
      expect(await admin.keys('*:lease')).toEqual([]);
    } finally {
      await admin.quit();
    }
  });

  it('sends its commands in a few socket writes, and stores every value', async () => {
    const redis = app.get<Redis>(CACHEKIT_REDIS);
    const counter = countSocketWrites(redis.stream);
    let loads = 0;
    // The loads finish in one tick, as the answers of one database reply would.
    const answered = new Promise((done) => setTimeout(done, 5));
    try {
      const values = await Promise.all(
        Array.from({ length: CALLERS }, (_, id) =>
          cache.getOrSet(products, [id], async () => {
            loads++;
            await answered;
            return { id };
          }),
        ),
      );
      values.forEach((value, id) => expect(value).toEqual({ id }));
      await new Promise((done) => setTimeout(done, 50)); // the lease releases, sent after the answers
    } finally {
      counter.restore();
    }
    expect(loads).toBe(CALLERS);
    // Four commands or more per miss (read, lease, fill, release): one write each would be 800+.
    expect(counter.writes()).toBeLessThan(CALLERS / 4);
    loads = 0;
    const again = await Promise.all(
      Array.from({ length: CALLERS }, (_, id) => cache.getOrSet(products, [id], async () => ({ id: -2 }))),
    );
    again.forEach((value, id) => expect(value).toEqual({ id }));
    expect(loads).toBe(0);
  });
});
