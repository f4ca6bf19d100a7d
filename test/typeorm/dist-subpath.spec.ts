// Uses the built package (run `npm run build` first; `npm test` does): `nestjs-cachekit/typeorm`
// through the exports map, next to the core, as an application would.
import { Test } from '@nestjs/testing';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CacheKitModule } from 'nestjs-cachekit';
import { CacheKitTypeOrm, CacheKitTypeOrmModule, invalidate } from 'nestjs-cachekit/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { describe, expect, inject, it } from 'vitest';
import { Product, seedCatalog } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { throwawayDatabase } from '../support/typeorm-app.js';

const ROOT = join(import.meta.dirname, '..', '..');

function files(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(suffix))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('the nestjs-cachekit/typeorm subpath', () => {
  it('is the only part of the package that imports typeorm', () => {
    const importsTypeOrm =
      /from\s+['"](typeorm|@nestjs\/typeorm)['"]|import\(['"](typeorm|@nestjs\/typeorm)['"]\)|from\s+['"][./]+typeorm\//;
    for (const [dir, suffix] of [
      ['lib', '.ts'],
      ['dist/lib', '.js'],
    ] as const) {
      const offenders = files(join(ROOT, dir), suffix)
        // cdc/ maps WAL rows with the TypeORM metadata: an optional subpath too.
        .filter((file) => !/^(typeorm|cdc)/.test(relative(join(ROOT, dir), file)))
        .filter((file) => importsTypeOrm.test(readFileSync(file, 'utf8')));
      expect(offenders).toEqual([]);
    }
  });

  it('evicts after commit through the built module', async () => {
    const database = await throwawayDatabase('sqlite');
    const dataSource = new DataSource(database.options as DataSourceOptions);
    await dataSource.initialize();
    await seedCatalog(dataSource);
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheKitModule.forRoot({ redis: inject('redisUrl'), namespace: uniqueNamespace() }),
        CacheKitTypeOrmModule.forRoot({
          dataSources: [dataSource],
          rules: [invalidate(Product, ({ row }) => [`product:${row.id}`])],
        }),
      ],
    }).compile();
    const app = await moduleRef.init();
    try {
      const tags: string[][] = [];
      app.get(CacheKitTypeOrm).events$.subscribe((event) => tags.push([...event.tags]));
      await dataSource.transaction((m) => m.save(Product, { id: 1, price: 3 }));
      expect(tags).toEqual([['product:1']]);
    } finally {
      await app.close();
      await dataSource.destroy();
      await database.drop();
    }
  });
});
