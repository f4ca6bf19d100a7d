import { Logger } from '@nestjs/common';
import { createRequire } from 'node:module';
import { Gauge, Registry } from 'prom-client';
import { afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { registerCdcMetrics } from '../../lib/cdc/index.js';
import { productById, productsInCategory } from '../fixtures/catalog-orm.fixture.js';
import { uniqueNamespace } from '../support/app.js';
import { logicalReplicationUnavailable } from '../support/postgres.js';
import { CdcApp, CdcDatabase, bootCdcApp, cdcDatabase, until } from './cdc-app.js';

const { Client } = createRequire(import.meta.url)('pg') as {
  Client: new (url: string) => { connect(): Promise<void>; query(sql: string): Promise<unknown>; end(): Promise<void> };
};

/** A write from outside the app: a plain pg client, no TypeORM, no bridge. */
async function rawSql(url: string, sql: string): Promise<void> {
  const client = new Client(url);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let skip: string | undefined;
beforeAll(async () => {
  skip = await logicalReplicationUnavailable(inject('databaseUrl'));
  if (skip) console.warn(skip);
});

describe('CDC invalidation from PostgreSQL logical replication', () => {
  let db: CdcDatabase | undefined;
  let c: CdcApp | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await c?.close();
    await db?.drop();
    c = db = undefined;
  });

  const boot = async (cdc = {}) => {
    db = await cdcDatabase(inject('databaseUrl'));
    c = await bootCdcApp(db, { redis: inject('redisUrl'), namespace: uniqueNamespace(), operationTimeout: '1s' }, cdc);
    await until(() => c!.cdc.stats().state === 'active');
    return { db, c };
  };

  it('a raw UPDATE from a separate pg client evicts the entry, and a category move evicts both lists', async (ctx) => {
    if (skip) return ctx.skip();
    const { db, c } = await boot();
    expect(await c.reader.product(1)).toMatchObject({ name: 'Lamp' });
    expect(await c.reader.category(1)).toEqual(['Lamp', 'Spot']);
    expect(await c.reader.category(2)).toEqual(['Desk']);

    await rawSql(db.url, `UPDATE "${db.schema}".orm_product SET name = 'Lamp (raw)', "categoryId" = 2 WHERE id = 1`);

    await until(async () => (await c.cache.get(productById, 1)) === undefined);
    expect(await c.reader.product(1)).toMatchObject({ name: 'Lamp (raw)', categoryId: 2 });
    expect(await c.cache.get(productsInCategory, 1)).toBeUndefined();
    expect(await c.cache.get(productsInCategory, 2)).toBeUndefined();
    // The event follows the store's confirmation of every target, which can come after the key is gone.
    await until(() => c!.events.some((e) => e.type === 'evicted'));
    const evicted = c.events.find((e) => e.type === 'evicted');
    expect(evicted).toMatchObject({ rows: 1, tags: ['category:1', 'category:2'], keys: ['orm.product:#1'], bulk: [] });
    expect(c.cdc.stats()).toMatchObject({ state: 'active', transactions: 1, rows: 1 });
    expect(c.cdc.stats().lagMs).toBeGreaterThanOrEqual(0);

    const registry = new Registry();
    const remove = registerCdcMetrics(c.cdc, { Gauge, registry });
    const text = await registry.metrics();
    expect(text).toMatch(/^cachekit_cdc_active 1$/m);
    expect(text).toMatch(/^cachekit_cdc_transactions 1$/m);
    expect(text).toMatch(/^cachekit_cdc_lag_seconds \d/m);
    remove();
    expect(await registry.metrics()).not.toMatch(/cachekit_cdc/);
  });

  it('ignores tables without a rule, and a row the entity cannot read goes to the bulk rule, logged once', async (ctx) => {
    if (skip) return ctx.skip();
    db = await cdcDatabase(inject('databaseUrl'));
    // A publication over a table no rule names as well.
    await db.sql(`CREATE PUBLICATION "${db.slot}" FOR TABLE "${db.schema}".orm_product, "${db.schema}".orm_category`);
    c = await bootCdcApp(db, { redis: inject('redisUrl'), namespace: uniqueNamespace(), operationTimeout: '1s' });
    await until(() => c!.cdc.stats().state === 'active');
    const warnings = vi.spyOn(Logger.prototype, 'warn');

    await rawSql(db.url, `UPDATE "${db.schema}".orm_category SET name = 'Lamps' WHERE id = 1`);
    await until(() => c!.events.some((e) => e.type === 'evicted'));
    // Category has an entity but no rule: counted, nothing evicted, no error.
    expect(c.events.find((e) => e.type === 'evicted')).toMatchObject({ rows: 1, tags: [], keys: [] });

    await c.reader.product(2);
    await db.sql(`ALTER TABLE "${db.schema}".orm_product DROP COLUMN price`);
    await rawSql(db.url, `UPDATE "${db.schema}".orm_product SET name = 'Spot 2' WHERE id = 2`);
    await rawSql(db.url, `UPDATE "${db.schema}".orm_product SET name = 'Spot 3' WHERE id = 2`);
    await until(() => c!.events.filter((e) => e.type === 'evicted').length === 3);
    const bulk = c.events.filter((e) => e.type === 'evicted').slice(1);
    expect(bulk).toMatchObject([
      { bulk: ['Product'], tags: ['catalog'], keys: [] },
      { bulk: ['Product'], tags: ['catalog'], keys: [] },
    ]);
    expect(await c.cache.get(productById, 2)).toBeUndefined(); // its 'catalog' tag was evicted
    const logged = warnings.mock.calls.map(([m]) => String(m)).filter((m) => m.includes('cannot be mapped'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/orm_product.*no column price/);
  });

  it('100,000 rows updated by one statement: the bulk rule, one eviction, rows counted', async (ctx) => {
    if (skip) return ctx.skip();
    const { db, c } = await boot({ bulkThreshold: 1000 });
    await db.sql(
      `INSERT INTO "${db.schema}".orm_product (id, name, price, "categoryId") ` +
        `SELECT g, 'p' || g, 1, 3 FROM generate_series(1000, 100999) g`,
    );
    await until(() => c.events.some((e) => e.type === 'evicted' && e.rows === 100_000), 60_000);
    await c.reader.product(4);
    await rawSql(db.url, `UPDATE "${db.schema}".orm_product SET price = price + 1`);
    await until(() => c.events.filter((e) => e.type === 'evicted' && e.rows >= 100_000).length === 2, 60_000);
    const update = c.events.filter((e) => e.type === 'evicted').at(-1)!;
    expect(update).toMatchObject({ rows: 100_004, bulk: ['Product'], tags: ['catalog'], keys: [] });
    expect(await c.cache.get(productById, 4)).toBeUndefined();
  }, 120_000);

  it('refuses a bad option at boot, naming it', async (ctx) => {
    if (skip) return ctx.skip();
    db = await cdcDatabase(inject('databaseUrl'));
    await expect(bootCdcApp(db, { namespace: uniqueNamespace() }, { slot: 'Bad Slot' })).rejects.toThrow(
      /option 'slot' must be a PostgreSQL identifier.*'Bad Slot'/,
    );
    await expect(bootCdcApp(db, { namespace: uniqueNamespace() }, { bulkThreshold: 0 })).rejects.toThrow(
      /option 'bulkThreshold' must be a positive integer; got 0/,
    );
  });
});
