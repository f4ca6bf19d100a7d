// An app instance on the built package serving steady traffic, driven by the parent test over
// IPC (see test/support/traffic-workers.ts). Its "database" is a second Redis (`dbUrl`) that the
// cache's faults never touch: rows `{ns}:row:{id}` hold a version the test bumps, loads are
// counted in `{ns}:loads:{id}`, and `{ns}:evicted:{id}` holds `version:ms` of the last eviction
// the store confirmed: a read that starts after that and returns an older version is a stale read.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { CacheKit, CacheKitModule, defineCache } from 'nestjs-cachekit';

const config = JSON.parse(process.env.WORKER_CONFIG);
const ns = config.namespace;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const definition = defineCache({
  name: 'traffic',
  key: (id) => id,
  ttl: '1m',
  singleFlight: { wait: config.waitMs, lease: config.leaseMs },
});

const app = await NestFactory.createApplicationContext(
  CacheKitModule.forRoot({
    redis: config.cacheUrl,
    namespace: ns,
    operationTimeout: config.operationTimeoutMs,
    breaker: { failures: 3, cooldown: '1s' },
  }),
  { logger: ['error'] },
);
const cache = app.get(CacheKit);
const db = new Redis(config.dbUrl);

function loader(id, holdMs = config.loaderMs, onStart) {
  return async () => {
    await db.incr(`${ns}:loads:${id}`);
    const version = Number((await db.get(`${ns}:row:${id}`)) ?? 1);
    onStart?.();
    await sleep(holdMs);
    return { id, version };
  };
}

let window = freshWindow();
function freshWindow() {
  return { calls: 0, failed: 0, hits: 0, maxMs: 0, stale: [], joinedBefore: 0, errors: [] };
}

let running = false;
let loops = [];
async function loop() {
  while (running) {
    const id = 1 + Math.floor(Math.random() * config.keys);
    try {
      const [floor, landedAt] = ((await db.get(`${ns}:evicted:${id}`)) ?? '0:0').split(':').map(Number);
      let loaded = false;
      const started = performance.now();
      const value = await cache.getOrSet(definition, [id], async () => {
        loaded = true;
        return loader(id)();
      });
      const ms = performance.now() - started;
      window.calls++;
      if (!loaded) window.hits++;
      window.maxMs = Math.max(window.maxMs, ms);
      // Within `joinGraceMs` of the eviction landing, a caller may still join a read or load this
      // process began before it (test/reliability/join-after-eviction.spec.ts): counted apart.
      if (value.version < floor) {
        if (Date.now() - landedAt > config.joinGraceMs) window.stale.push({ id, version: value.version, floor });
        else window.joinedBefore++;
      }
    } catch (error) {
      window.failed++;
      if (window.errors.length < 5) window.errors.push(String(error?.message ?? error));
    }
  }
}

process.on('message', async (message) => {
  if (message.type === 'traffic') {
    running = true;
    loops = Array.from({ length: config.inFlight }, () => loop());
  }
  if (message.type === 'stats') {
    const report = window;
    window = freshWindow();
    process.send({ type: 'stats', seq: message.seq, ...report });
  }
  if (message.type === 'load') {
    // One load the test kills this process in the middle of: it holds the entry's lease.
    void cache
      .getOrSet(
        definition,
        [message.id],
        loader(message.id, message.holdMs, () => process.send({ type: 'loading' })),
      )
      .catch(() => undefined);
  }
  if (message.type === 'read') {
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: message.count }, () => cache.getOrSet(definition, [message.id], loader(message.id))),
    );
    process.send({
      type: 'read-done',
      seq: message.seq,
      ms: performance.now() - started,
      values: outcomes.map((o) => (o.status === 'fulfilled' ? o.value : { error: String(o.reason?.message) })),
    });
  }
  if (message.type === 'close') {
    running = false;
    await Promise.all(loops);
    await app.close();
    await db.quit();
    process.send({ type: 'closed' });
    process.disconnect();
  }
});
process.send({ type: 'ready' });
