// A separate instance of an application using the built package, driven by the parent test over
// IPC: it boots, reports 'ready', and on 'go' fires `callers` concurrent getOrSet calls on one key.
// The loader counts its runs in Redis (INCR), so counts hold across processes.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { CacheKit, CacheKitModule, defineCache } from 'nestjs-cachekit';

const config = JSON.parse(process.env.WORKER_CONFIG);
const definition = defineCache({
  name: 'shared',
  key: (id) => id,
  ...(config.swr ? { swr: config.swr } : { ttl: '1m' }),
  singleFlight: config.singleFlight ?? { wait: '5s', lease: '10s' },
});

const app = await NestFactory.createApplicationContext(
  // A generous deadline: four processes booting at once on a small machine answer slowly at first.
  CacheKitModule.forRoot({ redis: config.redisUrl, namespace: config.namespace, operationTimeout: '2s' }),
  { logger: ['error'] },
);
const cache = app.get(CacheKit);
const counter = new Redis(config.redisUrl);
cache.events$.subscribe((event) => {
  if (event.type === 'refresh-start' || event.type === 'refresh-success') process.send({ type: event.type });
});

async function loader() {
  await counter.incr(`${config.namespace}:loader-runs`);
  process.send({ type: 'loader-start' });
  await new Promise((resolve) => setTimeout(resolve, config.loaderMs));
  return { value: `${config.label}-${process.pid}` };
}

process.on('message', async (message) => {
  if (message.type === 'go') {
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: config.callers }, async () => {
        const t0 = performance.now();
        const result = await cache.getOrSet(definition, [config.key], loader);
        return { value: result.value, ms: performance.now() - t0 };
      }),
    );
    process.send({
      type: 'done',
      values: outcomes.map((o) => (o.status === 'fulfilled' ? o.value.value : `error: ${o.reason?.message}`)),
      latencies: outcomes.map((o) => (o.status === 'fulfilled' ? o.value.ms : -1)),
      totalMs: performance.now() - started,
    });
  }
  if (message.type === 'close') {
    await app.close();
    await counter.quit();
    process.send({ type: 'closed' });
    process.exit(0);
  }
});
process.send({ type: 'ready' });
