// The reader of the cross-process stale-set race: another app instance using the built package,
// driven by test/reliability/stale-set-processes.spec.ts over IPC. Its loader reads the row from
// the shared "database" (a Redis key), then waits before returning: the window between its
// database read and its fill in which the writer (another process) commits and evicts. A held
// read tells the test it has read the row and waits for its release, so that window surely opens.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { CacheKit, CacheKitModule, defineCache } from 'nestjs-cachekit';

const config = JSON.parse(process.env.WORKER_CONFIG);
const race = defineCache({ name: 'race', key: (id) => id, tags: (id) => [`row:${id}`], ttl: '1m' });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const releases = new Map();

const app = await NestFactory.createApplicationContext(
  CacheKitModule.forRoot({ redis: config.redisUrl, namespace: config.namespace, operationTimeout: '2s' }),
  { logger: ['error'] },
);
const cache = app.get(CacheKit);
const db = new Redis(config.redisUrl);

process.on('message', async (message) => {
  if (message.type === 'read') {
    let seen = null;
    let loadEndedAt = null;
    const value = await cache.getOrSet(race, [message.id], async () => {
      await sleep(message.beforeMs);
      seen = Number(await db.get(`${config.namespace}:db:${message.id}`));
      if (message.held) {
        const released = new Promise((resolve) => releases.set(message.round, resolve));
        process.send({ type: 'row-read', round: message.round, seen });
        await released;
      } else await sleep(message.afterMs);
      loadEndedAt = Date.now();
      return seen;
    });
    process.send({ type: 'read-done', round: message.round, value, seen, loadEndedAt });
  }
  if (message.type === 'release') {
    releases.get(message.round)?.();
    releases.delete(message.round);
  }
  if (message.type === 'close') {
    await app.close();
    await db.quit();
    process.exit(0);
  }
});
process.send({ type: 'ready' });
