// An app instance on the built package that is shut down with work in flight, driven by
// test/reliability/shutdown.spec.ts over IPC. It caches ENTRIES stale-while-revalidate entries,
// makes each stale so that a read starts a background refresh (REFRESH_MS long), and on 'evict'
// issues EVICTIONS evictions (Redis frozen or down by then: they wait in the retry queue). On
// 'close' it closes the app and reports; it never calls process.exit: the test checks that
// nothing the module left behind keeps the process alive.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { CacheKit, CacheKitModule, defineCache } from 'nestjs-cachekit';

const config = JSON.parse(process.env.WORKER_CONFIG);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const ids = Array.from({ length: config.entries }, (_, i) => i + 1);
const definition = defineCache({
  name: 'shutdown',
  key: (id) => id,
  swr: { fresh: '100ms', stale: '1h', refreshTimeout: '30s' },
  tags: (id) => [`row:${id}`],
});

const app = await NestFactory.createApplicationContext(
  CacheKitModule.forRoot({
    redis: config.redisUrl,
    namespace: config.namespace,
    operationTimeout: config.operationTimeoutMs,
    shutdownTimeout: config.shutdownTimeoutMs,
    breaker: { failures: config.breakerFailures ?? 3, cooldown: '1s' },
    evictionRetry: { initialDelay: '50ms', maxDelay: '200ms' },
  }),
  { logger: ['error'] },
);
const cache = app.get(CacheKit);
const refreshes = { started: 0, finished: 0 };
const outcomes = [];
cache.events$.subscribe((event) => {
  if (event.type === 'refresh-start') refreshes.started++;
});

for (const id of ids) await cache.getOrSet(definition, [id], async () => ({ id, generation: 1 }));
await sleep(150); // every entry is stale now: the next read of each starts a refresh
for (const id of ids) {
  await cache.getOrSet(definition, [id], async () => {
    await sleep(config.refreshMs);
    refreshes.finished++;
    return { id, generation: 2 };
  });
}
while (refreshes.started < ids.length) await sleep(10);
process.send({ type: 'refreshing', running: refreshes.started });

process.on('message', async (message) => {
  if (message.type === 'evict') {
    const evicted = await Promise.all(
      ids
        .slice(0, config.evictions)
        .map((id) =>
          cache.evictMany({ keys: [{ definition, args: [id] }] }, { onOutcome: (outcome) => outcomes.push(outcome) }),
        ),
    );
    process.send({ type: 'evicted', evicted, pending: cache.storeStats().pendingEvictions });
  }
  if (message.type === 'close') {
    const started = performance.now();
    await app.close();
    const closeMs = performance.now() - started;
    process.send({
      type: 'closed',
      closeMs,
      outcomes,
      refreshesFinished: refreshes.finished,
      droppedEvictions: cache.storeStats().droppedEvictions,
    });
    // The IPC channel is ours, not the module's: without it only what the module left open (or the
    // loaders still running) can keep this process alive.
    process.disconnect();
  }
});
