import { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { CACHEKIT_REDIS } from '../../lib/index.js';
import { ProductModule, ProductService } from '../fixtures/product.fixture.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

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

  it.each([
    ['random bytes in the value', (r: Redis, k: string) => r.hset(k, 'd', Buffer.from([1, 2, 3, 4]), 'v', 'x')],
    [
      'a valid header with a corrupt body',
      (r: Redis, k: string) =>
        r.hset(
          k,
          'd',
          Buffer.concat([Buffer.from([0x43, 0x4b, 2, 0]), Buffer.alloc(28), Buffer.from([0xff, 0x0d])]),
          'v',
          'x',
        ),
    ],
    ['a plain string under the key', (r: Redis, k: string) => r.set(k, '{"name":"json from elsewhere"}')],
    ['a list under the key', (r: Redis, k: string) => r.rpush(k, 'a', 'b')],
  ])('%s is a miss, never an error, and is overwritten', async (_, plant) => {
    await plant(redis, key);
    expect((await service.findOne(1))?.name).toBe('Lamp');
    expect((await service.findOne(1))?.name).toBe('Lamp');
    expect(service.loads).toBe(1); // the second call was a hit on the overwritten entry
  });
});
