import { INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { CACHEKIT_REDIS, CacheEvent, CacheKit, CachePut, Cacheable, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

interface Auction {
  id: number;
  endsInMs: number;
}

// The value decides how long it may be served: an auction ending soon lives only until it ends.
const auctionById = defineCache({
  name: 'auction',
  key: (id: number) => id,
  ttl: (auction: Auction | null) => auction!.endsInMs,
  jitter: 0,
});

@Injectable()
class AuctionService {
  loads = 0;
  endsInMs = new Map<number, number>();

  @Cacheable(auctionById)
  async find(id: number): Promise<Auction | null> {
    this.loads++;
    return { id, endsInMs: this.endsInMs.get(id) ?? 180_000 };
  }

  @Cacheable({
    name: 'auction.spread',
    key: (id: number) => id,
    ttl: (auction: Auction) => auction.endsInMs,
    jitter: 0.5,
  })
  async spread(id: number): Promise<Auction> {
    this.loads++;
    return { id, endsInMs: 600_000 };
  }

  @Cacheable({
    name: 'auction.bad',
    key: (id: number) => id,
    ttl: (auction: Auction) => (auction.id === 1 ? -5 : 'soon') as never,
  })
  async bad(id: number): Promise<Auction> {
    this.loads++;
    return { id, endsInMs: 0 };
  }

  @Cacheable({
    name: 'auction.throws',
    key: (id: number) => id,
    ttl: (): number => {
      throw new Error('no end date');
    },
  })
  async throws(id: number): Promise<Auction> {
    this.loads++;
    return { id, endsInMs: 0 };
  }

  @CachePut(auctionById)
  async extend(id: number, endsInMs: number): Promise<Auction> {
    this.endsInMs.set(id, endsInMs);
    return { id, endsInMs };
  }
}

@Module({ providers: [AuctionService] })
class AuctionModule {}

describe('ttl as a function of the loaded value', () => {
  let app: INestApplicationContext;
  let service: AuctionService;
  let redis: Redis;
  let namespace: string;
  const events: CacheEvent[] = [];

  beforeEach(async () => {
    namespace = uniqueNamespace();
    events.length = 0;
    app = await bootApp({ redis: inject('redisUrl'), namespace, defaultTtl: '1m' }, { imports: [AuctionModule] });
    service = app.get(AuctionService);
    redis = app.get<Redis>(CACHEKIT_REDIS);
    app.get(CacheKit).events$.subscribe((event) => events.push(event));
  });
  afterEach(() => app.close());

  it('each entry lives as long as its value says', async () => {
    service.endsInMs.set(1, 3_000).set(2, 3_600_000);
    await service.find(1);
    await service.find(2);
    const short = await redis.pttl(`{${namespace}:auction:#1}`);
    const long = await redis.pttl(`{${namespace}:auction:#2}`);
    expect(short).toBeGreaterThan(2_000);
    expect(short).toBeLessThanOrEqual(3_000);
    expect(long).toBeGreaterThan(3_500_000);
    expect(long).toBeLessThanOrEqual(3_600_000);
    expect((await service.find(1))?.endsInMs).toBe(3_000);
    expect(service.loads).toBe(2);
  });

  it('the tags of an entry living longer than the default TTL live as long as it (its hits last)', async () => {
    service.endsInMs.set(3, 3_600_000);
    await service.find(3);
    // The cache name's generation is the implicit tag of every entry: it must outlive the entry.
    expect(await redis.pttl(`{${namespace}:~name:auction}`)).toBeGreaterThanOrEqual(3_600_000);
  });

  it('@CachePut takes the TTL from the value it stores', async () => {
    await service.extend(4, 7_200_000);
    const ttl = await redis.pttl(`{${namespace}:auction:#4}`);
    expect(ttl).toBeGreaterThan(7_100_000);
    expect(await redis.pttl(`{${namespace}:~name:auction}`)).toBeGreaterThanOrEqual(7_200_000);
  });

  it('jitter still applies to a TTL from the value', async () => {
    for (let id = 1; id <= 12; id++) await service.spread(id);
    const ttls = await Promise.all(
      Array.from({ length: 12 }, (_, i) => redis.pttl(`{${namespace}:auction.spread:#${i + 1}}`)),
    );
    for (const ttl of ttls) {
      expect(ttl).toBeGreaterThan(300_000 - 1_000);
      expect(ttl).toBeLessThanOrEqual(900_000);
    }
    expect(new Set(ttls.map((ttl) => Math.round(ttl / 10_000))).size).toBeGreaterThan(1);
  });

  it.each([
    [
      'returns a bad duration',
      'bad' as const,
      /AuctionService#bad.*The ttl function of AuctionService#bad must be a positive duration/,
    ],
    [
      'throws',
      'throws' as const,
      /AuctionService#throws.*The ttl function of AuctionService#throws threw: no end date/,
    ],
  ])(
    'a ttl function that %s: the value is returned uncached, with a store-skipped event',
    async (_, method, reason) => {
      expect((await service[method](1)).id).toBe(1);
      expect((await service[method](1)).id).toBe(1);
      expect(service.loads).toBe(2);
      const skipped = events.filter((event) => event.type === 'store-skipped');
      expect(skipped).toHaveLength(2);
      expect(skipped[0]!.reason).toMatch(reason);
    },
  );
});
