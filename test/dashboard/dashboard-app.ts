import { INestApplication, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Cacheable, CacheEvict, CacheKitModule, CacheKitModuleOptions, defineCache } from '../../lib/index.js';
import { CacheKitDashboardModule } from '../../lib/dashboard/index.js';
import type { CacheKitDashboardModuleOptions } from '../../lib/dashboard/index.js';

export const productById = defineCache({ name: 'product', key: (id: number) => id, ttl: '1m' });
const searchByQuery = defineCache({ name: 'search', key: (q: string) => q, ttl: '1m' });

/** A catalogue with a hot cache and a cold one, so the page has something to show. */
@Injectable()
export class CatalogueService {
  @Cacheable(productById)
  async product(id: number): Promise<{ id: number }> {
    // A query slow enough to beat a Redis round trip (4 ms away in the browser test) by far, even on
    // a busy machine where every lookup waits for the CPU: report() says it pays.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { id };
  }

  @Cacheable(searchByQuery)
  async search(q: string): Promise<string[]> {
    return [q];
  }

  // Loads the searches again now and then, so their mean load is over many loads, not the first three.
  @CacheEvict(searchByQuery, { allEntries: true })
  async reindex(): Promise<void> {}

  @CacheEvict(productById)
  async update(id: number): Promise<void> {
    void id;
  }
}

/** Boots an HTTP app with the dashboard, listening on a free port. */
export async function bootDashboardApp(
  cache: CacheKitModuleOptions,
  dashboard: CacheKitDashboardModuleOptions,
): Promise<{ app: INestApplication; url: string; catalogue: CatalogueService }> {
  @Module({
    imports: [CacheKitModule.forRoot(cache), CacheKitDashboardModule.forRoot(dashboard)],
    providers: [CatalogueService],
  })
  class DashboardAppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [DashboardAppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl(), catalogue: app.get(CatalogueService) };
}
