import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CacheKitModule } from '../../lib/index.js';
import {
  CacheKitTypeOrmModule,
  CacheKitTypeOrmModuleOptions,
  DataSourceBindingError,
  InvalidationRuleError,
  evictAfterCommit,
  invalidate,
} from '../../lib/typeorm/index.js';
import { Product, seedCatalog } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { bootCatalogApp, throwawayDatabase } from '../support/typeorm-app.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (cleanups.length) await cleanups.pop()!();
});

async function sqliteDataSource(initialize = true): Promise<DataSource> {
  const database = await throwawayDatabase('sqlite');
  const dataSource = new DataSource(database.options as DataSourceOptions);
  if (initialize) {
    await dataSource.initialize();
    await seedCatalog(dataSource);
  }
  cleanups.push(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.drop();
  });
  return dataSource;
}

/** Compiles and initializes an app; resolves with the error it failed with. */
async function bootError(bridge: CacheKitTypeOrmModuleOptions, withTypeOrm = false): Promise<unknown> {
  const database = await throwawayDatabase('sqlite');
  cleanups.push(() => database.drop());
  let moduleRef;
  try {
    moduleRef = await Test.createTestingModule({
      imports: [
        CacheKitModule.forRoot({ namespace: uniqueNamespace() }),
        ...(withTypeOrm ? [TypeOrmModule.forRootAsync({ useFactory: () => database.options })] : []),
        CacheKitTypeOrmModule.forRoot(bridge),
      ],
    }).compile();
    await moduleRef.init();
  } catch (error) {
    return error;
  } finally {
    await moduleRef?.close();
  }
  throw new Error('the app booted');
}

describe('misuse of the TypeORM bridge', () => {
  it('rejects malformed rules where they are declared, with a stable code', () => {
    expect(() => invalidate('', () => [])).toThrow(InvalidationRuleError);
    expect(() => invalidate(Product, 'product:1' as never)).toThrow(
      expect.objectContaining({ code: 'CACHEKIT_TYPEORM_INVALID_RULE', message: expect.stringContaining('Product') }),
    );
    expect(() => invalidate(Product, () => [], { again: 'soon' as never })).toThrow(
      /invalidate\(Product\): option 'again'/,
    );
  });

  it('rejects invalid module options at boot, naming the option', async () => {
    expect(await bootError({ commitWait: 'soon' as never })).toMatchObject({
      code: 'CACHEKIT_TYPEORM_INVALID_OPTION',
      message: expect.stringContaining(`'commitWait'`),
    });
    expect(await bootError({ bogus: 1 } as never)).toMatchObject({ message: expect.stringContaining(`'bogus'`) });
    expect(await bootError({ retry: { maxPending: 10 } } as never)).toMatchObject({
      code: 'CACHEKIT_TYPEORM_INVALID_OPTION',
      message: expect.stringContaining(`CacheKitModule.forRoot({ evictionRetry`),
    });
  });

  it('says which DataSource cannot be watched and what to do', async () => {
    expect(await bootError({ dataSources: ['missing'] }, true)).toMatchObject({
      code: 'CACHEKIT_TYPEORM_DATASOURCE',
      message: expect.stringContaining(`no DataSource named 'missing'`),
    });
    expect(await bootError({})).toMatchObject({ message: expect.stringContaining('found no TypeORM DataSource') });
    const uninitialized = await sqliteDataSource(false);
    expect(await bootError({ dataSources: [uninitialized] })).toMatchObject({
      code: 'CACHEKIT_TYPEORM_DATASOURCE',
      message: expect.stringContaining('is not initialized'),
    });
  });

  it('refuses evictAfterCommit on an unwatched DataSource, on a non-manager and with a bad entry', async () => {
    const dataSource = await sqliteDataSource();
    await expect(evictAfterCommit(dataSource.manager, ['tag'])).rejects.toThrow(DataSourceBindingError);
    await expect(evictAfterCommit({} as never, ['tag'])).rejects.toThrow(
      /needs a TypeORM QueryRunner or EntityManager/,
    );
    const c = await bootCatalogApp({ driver: 'sqlite', cache: { namespace: uniqueNamespace() } });
    cleanups.push(() => c.close());
    await expect(evictAfterCommit(c.dataSource.manager, [42 as never])).rejects.toThrow(InvalidationRuleError);
  });

  it('never fails a write because of a rule: a throwing rule is logged and the transaction commits', async () => {
    const errors = vi.spyOn(Logger.prototype, 'error');
    const broken = invalidate(Product, () => {
      throw new Error('rule bug');
    });
    const malformed = invalidate(Product, () => [{ definition: 'not one' } as never]);
    const c = await bootCatalogApp({
      driver: 'sqlite',
      cache: { namespace: uniqueNamespace() },
      bridge: { rules: [broken, malformed] },
    });
    cleanups.push(() => c.close());
    await c.dataSource.transaction((m) => m.save(Product, { id: 1, price: 99 }));
    expect(await c.dataSource.getRepository(Product).findOneBy({ id: 1 })).toMatchObject({ price: 99 });
    const messages = errors.mock.calls.map(([message]) => String(message));
    expect(messages.some((m) => /invalidate\(Product\) on (insert|update) threw \(rule bug\)/.test(m))).toBe(true);
  });

  it('warns, naming the entity, when rows change through a QueryBuilder and the rule has no bulk handler', async () => {
    const warnings = vi.spyOn(Logger.prototype, 'warn');
    const rowsOnly = invalidate(Product, ({ row }) => [`product:${row.id}`]);
    const c = await bootCatalogApp({
      driver: 'sqlite',
      cache: { namespace: uniqueNamespace() },
      bridge: { rules: [rowsOnly] },
    });
    cleanups.push(() => c.close());
    await c.dataSource.getRepository(Product).update({ id: 1 }, { price: 5 });
    expect(c.events).toEqual([]);
    const messages = warnings.mock.calls.map(([message]) => String(message));
    expect(messages.some((m) => m.includes('Product was changed (update) through a QueryBuilder'))).toBe(true);
  });
});
