import { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { CACHEKIT_REDIS } from '../../lib/index.js';
import { ProductModule, ProductService } from '../fixtures/product.fixture.js';
import { bootApp, uniqueNamespace } from '../support/app.js';
import { plantedEntry } from '../support/stored-entries.js';

// Bytes that are not UTF-8: a client that decodes replies as text cannot give them back unchanged.
const GARBAGE = Buffer.from([0xff, 0xfe, 0x80, 0x00, 0xc3, 0x28]);

/** What is under our keys may not be ours (another version, another tool, corruption): a miss, then overwritten. */
describe('foreign or corrupt payloads', () => {
  let app: INestApplicationContext;
  let service: ProductService;
  let redis: Redis;
  let key: string;

  beforeEach(async () => {
    const namespace = uniqueNamespace();
    app = await bootApp({ redis: inject('redisUrl'), namespace }, { imports: [ProductModule] });
    service = app.get(ProductService);
    redis = app.get<Redis>(CACHEKIT_REDIS);
    key = `{${namespace}:product:#1}`;
  });
  afterEach(() => app.close());

  // An envelope header (format, flags, meta) whose body is cut short or corrupt.
  const header = Buffer.concat([Buffer.from([0x43, 0x4b, 2, 0]), Buffer.alloc(28)]);
  it.each([
    ['random bytes in the value', (r: Redis, k: string) => r.set(k, Buffer.from([1, 2, 3, 4]))],
    ['random bytes after a version', (r: Redis, k: string) => r.set(k, plantedEntry(Buffer.from([1, 2, 3, 4])))],
    [
      'a valid header with a corrupt body',
      (r: Redis, k: string) => r.set(k, plantedEntry(Buffer.concat([header, Buffer.from([0xff, 0x0d])]))),
    ],
    ['a plain string under the key', (r: Redis, k: string) => r.set(k, '{"name":"json from elsewhere"}')],
    ['a list under the key', (r: Redis, k: string) => r.rpush(k, 'a', 'b')],
    ['garbage bytes as the whole value', (r: Redis, k: string) => r.set(k, GARBAGE)],
    [
      'garbage bytes in the version only',
      (r: Redis, k: string) => r.set(k, Buffer.concat([GARBAGE, Buffer.from(' 0\n'), header])),
    ],
    ['garbage bytes in the payload only', (r: Redis, k: string) => r.set(k, plantedEntry(GARBAGE))],
    ['a fence a crashed load left (a version, no payload)', (r: Redis, k: string) => r.set(k, 'gone.1')],
    ['a header claiming more tag bytes than there are', (r: Redis, k: string) => r.set(k, 'test.1 999\nabc')],
    ['a header whose tag length is no number', (r: Redis, k: string) => r.set(k, 'test.1 zz\nabc')],
    ['an entry of the older layout (a hash)', (r: Redis, k: string) => r.hset(k, 'd', header, 'v', 'old.1', 't', '')],
    ['a hash with neither field', (r: Redis, k: string) => r.hset(k, 'other', 'x')],
    [
      'a valid header claiming 255 tags of 255 bytes',
      (r: Redis, k: string) => r.set(k, plantedEntry(Buffer.concat([header, Buffer.from([255, 255, 1])]))),
    ],
    [
      'a valid header and a body declaring a 2 GB string',
      (r: Redis, k: string) =>
        r.set(
          k,
          plantedEntry(Buffer.concat([header, Buffer.from([0, 0xff, 0x0f, 0x22, 0xff, 0xff, 0xff, 0xff, 0x07, 0x61])])),
        ),
    ],
  ])('%s is a miss, never an error, and is overwritten', async (_, plant) => {
    await plant(redis, key);
    expect((await service.findOne(1))?.name).toBe('Lamp');
    expect((await service.findOne(1))?.name).toBe('Lamp');
    expect(service.loads).toBe(1); // the second call was a hit on the overwritten entry
  });
});

describe('a corrupt tag version', () => {
  it('is replaced by the next load, so the entry is cached again', async () => {
    const namespace = uniqueNamespace();
    const app = await bootApp({ redis: inject('redisUrl'), namespace }, { imports: [ProductModule] });
    const service = app.get(ProductService);
    const redis = app.get<Redis>(CACHEKIT_REDIS);
    await redis.set(`{${namespace}:~tag:product%3A1}`, GARBAGE);
    expect((await service.findOne(1))?.name).toBe('Lamp');
    expect((await service.findOne(1))?.name).toBe('Lamp');
    expect((await service.findOne(1))?.name).toBe('Lamp');
    expect(service.loads).toBeLessThanOrEqual(2);
    await app.close();
  });
});
