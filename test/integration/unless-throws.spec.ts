import { Injectable, Module } from '@nestjs/common';
import { describe, expect, inject, it } from 'vitest';
import { CacheEvent, CacheKit, Cacheable } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

@Injectable()
class PriceService {
  loads = 0;

  // A bug in the definition: `unless` reads a field the result does not always have.
  @Cacheable({
    name: 'price',
    key: (id: number) => id,
    unless: (result: { tiers?: number[] }) => result.tiers!.length === 0,
  })
  async price(id: number): Promise<{ id: number; tiers?: number[] }> {
    this.loads++;
    return { id };
  }
}

@Module({ providers: [PriceService] })
class PriceModule {}

/** The origin answered: a throwing `unless` must not turn that answer into an error. */
describe('an unless function that throws', () => {
  it('returns the value uncached and reports why', async () => {
    const app = await bootApp({ redis: inject('redisUrl'), namespace: uniqueNamespace() }, { imports: [PriceModule] });
    const events: CacheEvent[] = [];
    app.get(CacheKit).events$.subscribe((event) => events.push(event));
    const service = app.get(PriceService);
    expect(await service.price(1)).toEqual({ id: 1 });
    expect(await service.price(1)).toEqual({ id: 1 });
    expect(service.loads).toBe(2); // not cached
    const skipped = events.filter((event) => event.type === 'store-skipped');
    expect(skipped).toHaveLength(2);
    expect(skipped[0]!.reason).toMatch(/PriceService#price.*its unless function threw \(Cannot read properties/);
    expect(app.get(CacheKit).stats().price?.skippedStores).toBe(2);
    await app.close();
  });
});
