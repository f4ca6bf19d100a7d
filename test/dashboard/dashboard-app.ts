import { INestApplication, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Cacheable, CacheEvict, CacheKitModule, CacheKitModuleOptions, defineCache } from '../../lib/index.js';
import { CacheKitDashboardModule } from '../../lib/dashboard/index.js';
import type { CacheKitDashboardModuleOptions } from '../../lib/dashboard/index.js';

export const productById = defineCache({ name: 'product', key: (id: number) => id, ttl: '1m' });

/** A catalogue with a hot cache and a cold one, so the page has something to show. */
@Injectable()
export class CatalogueService {
  @Cacheable(productById)
  async product(id: number): Promise<{ id: number }> {
    // A query slow enough to beat a Redis round trip on a busy machine: report() says it pays.
    await new Promise((resolve) => setTimeout(resolve, 15));
    return { id };
  }

  @Cacheable({ name: 'search', key: (q: string) => q, ttl: '1m' })
  async search(q: string): Promise<string[]> {
    return [q];
  }

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
