import {
  Controller,
  Get,
  INestApplication,
  Injectable,
  MiddlewareConsumer,
  Module,
  NestModule,
  Param,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  CACHEKIT_REDIS,
  CacheEvict,
  CacheKit,
  CacheKitModule,
  CacheKitModuleOptions,
  CacheKitRequestMemo,
  Cacheable,
  defineCache,
} from '../../lib/index.js';
import { uniqueNamespace } from '../support/app.js';

const profileById = defineCache({ name: 'profile', key: (id: number) => id, tags: (id: number) => [`profile:${id}`] });

@Injectable()
class ProfileService {
  loads = 0;

  @Cacheable(profileById)
  async find(id: number): Promise<{ id: number; loads: number }> {
    return { id, loads: ++this.loads };
  }

  @CacheEvict({ tags: (id: number) => [`profile:${id}`] })
  async touch(id: number): Promise<void> {
    void id;
  }
}

/** One request reads the profile three times, evicting it after the second read when asked to. */
@Controller('profiles')
class ProfileController {
  constructor(private readonly profiles: ProfileService) {}

  @Get(':id/:evict')
  async three(@Param('id') id: string, @Param('evict') evict: string) {
    const first = await this.profiles.find(Number(id));
    const second = await this.profiles.find(Number(id));
    if (evict === 'evict') await this.profiles.touch(Number(id));
    const third = await this.profiles.find(Number(id));
    return { first, second, third, same: second.loads === first.loads };
  }
}

async function boot(options: CacheKitModuleOptions): Promise<INestApplication> {
  @Module({ controllers: [ProfileController], providers: [ProfileService] })
  class ProfileModule implements NestModule {
    configure(consumer: MiddlewareConsumer): void {
      consumer.apply(CacheKitRequestMemo).forRoutes('*');
    }
  }
  const moduleRef = await Test.createTestingModule({
    imports: [CacheKitModule.forRoot(options), ProfileModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

/** Counts the commands an ioredis client sends, or only those named `only` (an entry's read is one MGET). */
function countCommands(client: Redis, only?: string): () => number {
  let count = 0;
  const send = client.sendCommand.bind(client) as (command: { name: string }, ...rest: unknown[]) => unknown;
  client.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
    if (only === undefined || command.name === only) count++;
    return send(command, ...rest);
  }) as typeof client.sendCommand;
  return () => count;
}

describe('per-request memoization', () => {
  let app: INestApplication;
  afterEach(() => app?.close());

  it('repeated calls with the same key in one request are served without a Redis round trip', async () => {
    app = await boot({ redis: inject('redisUrl'), namespace: uniqueNamespace(), requestMemo: true });
    await request(app.getHttpServer()).get('/profiles/1/keep').expect(200); // fills the store
    const commands = countCommands(app.get<Redis>(CACHEKIT_REDIS));
    const { body } = await request(app.getHttpServer()).get('/profiles/2/keep').expect(200);
    expect(body.first).toEqual(body.third);
    expect(app.get(ProfileService).loads).toBe(2);
    // The miss of profile 2 costs its read, fence and fill; the two later calls cost nothing.
    const sentForOneMiss = commands();
    const again = countCommands(app.get<Redis>(CACHEKIT_REDIS), 'mget');
    await request(app.getHttpServer()).get('/profiles/2/keep').expect(200);
    expect(again()).toBe(1); // three calls, one read
    expect(sentForOneMiss).toBeGreaterThan(1);
  });

  it('an eviction made in the request clears the memo: the next call reads again', async () => {
    app = await boot({ redis: inject('redisUrl'), namespace: uniqueNamespace(), requestMemo: true });
    const { body } = await request(app.getHttpServer()).get('/profiles/3/evict').expect(200);
    expect(body.first.loads).toBe(1);
    expect(body.third.loads).toBe(2); // evicted in the request: loaded again, not the memo's
  });

  it('is off by default: every call reads the store', async () => {
    app = await boot({ redis: inject('redisUrl'), namespace: uniqueNamespace() });
    await request(app.getHttpServer()).get('/profiles/4/keep').expect(200);
    const reads = countCommands(app.get<Redis>(CACHEKIT_REDIS), 'mget');
    await request(app.getHttpServer()).get('/profiles/4/keep').expect(200);
    expect(reads()).toBe(3);
  });

  it('CacheKit.withRequestMemo gives code outside HTTP (a job) the same memo', async () => {
    app = await boot({ redis: inject('redisUrl'), namespace: uniqueNamespace(), requestMemo: true });
    const cacheKit = app.get(CacheKit);
    const service = app.get(ProfileService);
    await service.find(5);
    const reads = countCommands(app.get<Redis>(CACHEKIT_REDIS), 'mget');
    await cacheKit.withRequestMemo(async () => {
      await service.find(5);
      await service.find(5);
    });
    expect(reads()).toBe(1);
  });
});
