// The catalogue's ORM side for worker processes (the built package): the same definition and rule
// as test/fixtures/catalog-orm.fixture.ts, so a worker evicts the same entries a test reads.
import { EntitySchema } from 'typeorm';
import { defineCache } from 'nestjs-cachekit';
import { cacheEntry, invalidate } from 'nestjs-cachekit/typeorm';

export const productById = defineCache({ name: 'orm.product', key: (id) => id, ttl: '5m' });

/** The orm_product table; `deletedAtType` as the database names a timestamp column. */
export function productSchema(deletedAtType) {
  return new EntitySchema({
    name: 'Product',
    tableName: 'orm_product',
    columns: {
      id: { type: 'integer', primary: true },
      name: { type: 'varchar', length: 60 },
      price: { type: 'integer' },
      categoryId: { type: 'integer' },
      deletedAt: { type: deletedAtType, nullable: true, deleteDate: true },
    },
  });
}

/** The product's entry and both categories' tags; `options` as `invalidate` takes them (e.g. `bulk`). */
export function productRule(options) {
  return invalidate(
    'Product',
    ({ row, before, after }) => [
      cacheEntry(productById, row.id),
      before && `category:${before.categoryId}`,
      after && `category:${after.categoryId}`,
    ],
    options,
  );
}
