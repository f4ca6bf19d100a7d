// One instance of an application using the built package, driven by fail-safe-processes.spec.ts
// over IPC. Its origin fails while the Redis key `<ns>:origin-down` exists; every origin call is
// counted in Redis (INCR), so the count holds across processes.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { CacheKit, CacheKitModule, defineCache } from 'nestjs-cachekit';

const config = JSON.parse(process.env.WORKER_CONFIG);
const price = defineCache({
  name: 'price',
  key: (id) => id,
  ttl: config.ttlMs,
  jitter: 0,
  failSafe: { maxAge: '10m', throttle: config.throttleMs },
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const app = await NestFactory.createApplicationContext(
  CacheKitModule.forRoot({ redis: config.redisUrl, namespace: config.namespace, operationTimeout: '2s' }),
  { logger: ['error'] },
);
const cache = app.get(CacheKit);
const db = new Redis(config.redisUrl);

async function origin(id) {
  await db.incr(`${config.namespace}:origin-calls`);
  if (await db.exists(`${config.namespace}:origin-down`)) throw new Error('database unavailable');
  return { id, at: Date.now() };
}

process.on('message', async (message) => {
  if (message.type === 'hammer') {
    // Callers in a loop on `keys` keys for `durationMs`: about one call per key every few ms.
    let answered = 0;
    let failed = 0;
    const until = Date.now() + message.durationMs;
    await Promise.all(
      Array.from({ length: message.keys * 4 }, async (_, i) => {
        while (Date.now() < until) {
          try {
            await cache.getOrSet(price, [i % message.keys], () => origin(i % message.keys));
            answered++;
          } catch {
            failed++;
          }
          await sleep(5);
        }
      }),
    );
    process.send({ type: 'hammered', answered, failed, failSafeHits: cache.stats().price?.failSafeHits ?? 0 });
  }
  if (message.type === 'close') {
    await app.close();
    await db.quit();
    process.exit(0);
  }
});
process.send({ type: 'ready' });
