// Uses the built package through its public name and `exports` map (run `npm run build` first;
// `npm test` does), as an application would after `npm install nestjs-cachekit`.
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { CacheEvict, CacheKitModule, CachePut, Cacheable, InjectRedis, defineCache } from 'nestjs-cachekit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueNamespace } from '../support/app.js';

const greeting = defineCache({ name: 'greeting', key: (name: string) => name, ttl: '1m' });

@Injectable()
class GreetingService {
  loads = 0;
  constructor(@InjectRedis() readonly redis: Redis) {}

  @Cacheable(greeting)
  async greet(name: string): Promise<string> {
    this.loads++;
    return `hello ${name} #${this.loads}`;
  }

  @CachePut(greeting)
  async rename(name: string): Promise<string> {
    return `renamed ${name}`;
  }

  @CacheEvict(greeting)
  async forget(_name: string): Promise<void> {}
}

@Module({ providers: [GreetingService] })
class GreetingModule {}

describe('the built package (dist/)', () => {
  const namespace = uniqueNamespace();
  let close: () => Promise<void>;
  let service: GreetingService;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CacheKitModule.forRoot({ redis: inject('redisUrl'), namespace }), GreetingModule],
    }).compile();
    const app = await moduleRef.init();
    service = app.get(GreetingService);
    close = () => app.close();
  });
  afterAll(() => close());

  it('serves @Cacheable, @CachePut and @CacheEvict from Redis', async () => {
    expect(await service.greet('ada')).toBe('hello ada #1');
    expect(await service.greet('ada')).toBe('hello ada #1');
    expect(await service.redis.exists(`{${namespace}:greeting:ada}`)).toBe(1);
    await service.rename('ada');
    expect(await service.greet('ada')).toBe('renamed ada');
    await service.forget('ada');
    expect(await service.greet('ada')).toBe('hello ada #2');
  });
});
