import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryKey, entryKeyPrefix } from '../../lib/keys/key-layout.js';
import { uniqueNamespace } from '../support/app.js';
import { RedisServer, startRedisServer } from '../support/redis-server.js';
import { cli } from './cli-runner.js';

const COUNT = 100_000;
const namespace = uniqueNamespace();
// A server of its own: 100,000 keys must not slow the tests sharing the global one.
let server: RedisServer;
let client: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  client = new Redis(server.url);
  const prefix = entryKeyPrefix(namespace, 'bulk');
  for (let start = 0; start < COUNT; start += 10_000) {
    const pipeline = client.pipeline();
    for (let i = start; i < start + 10_000; i++) pipeline.set(entryKey(prefix, `#${i}`), '1.1 0\nx');
    await pipeline.exec();
  }
  await client.set(entryKey(entryKeyPrefix(namespace, 'other'), '#1'), '1.1 0\nx');
}, 120_000);
afterAll(async () => {
  await client.quit();
  await server.stop();
});

describe('cachekit clear on 100,000 keys', () => {
  it('unlinks every entry of the cache by SCAN with a progress bar on stderr, and nothing else', async () => {
    expect(await client.dbsize()).toBe(COUNT + 1);
    const run = await cli('--redis', server.url, '--namespace', namespace, '--json', 'clear', 'bulk');
    expect(run.err).not.toContain('cachekit:');
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({ cache: 'bulk', generation: 'evicted', unlinked: COUNT });
    expect(await client.dbsize()).toBe(1);
    // The bar: written as lines without a TTY, ending full, with the matched count.
    const lines = run.err.split('\n').filter((line) => line.startsWith('clear bulk'));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.at(-1)).toContain(`100% | ${COUNT + 1}/${COUNT + 1} keys examined | ${COUNT} matched`);
  }, 120_000);
});
