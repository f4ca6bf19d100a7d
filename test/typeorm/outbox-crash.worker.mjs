// An app instance (the built package) that writes through the outbox and is killed right after its
// COMMIT returns, before the bridge evicts: a subscriber registered ahead of the bridge SIGKILLs
// the process in afterTransactionCommit. Driven by test/typeorm/outbox-crash.spec.ts over IPC.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { EntitySchema, EventSubscriber } from 'typeorm';
import { CacheKitModule, defineCache } from 'nestjs-cachekit';
import { CacheKitTypeOrmModule, cacheEntry, invalidate } from 'nestjs-cachekit/typeorm';
import { serveParent, tellParent, workerConfig as config } from '../support/worker-child.mjs';

// The same definition and rule as test/fixtures/catalog-orm.fixture.ts: the same entries.
const productById = defineCache({ name: 'orm.product', key: (id) => id, ttl: '5m' });
const Product = new EntitySchema({
  name: 'Product',
  tableName: 'orm_product',
  columns: {
    id: { type: 'integer', primary: true },
    name: { type: 'varchar', length: 60 },
    price: { type: 'integer' },
    categoryId: { type: 'integer' },
    deletedAt: {
      type: config.database.type === 'postgres' ? 'timestamp' : 'datetime',
      nullable: true,
      deleteDate: true,
    },
  },
});
const rule = invalidate('Product', ({ row, before, after }) => [
  cacheEntry(productById, row.id),
  before && `category:${before.categoryId}`,
  after && `category:${after.categoryId}`,
]);

let armed = false;
class KillAfterCommit {
  afterTransactionCommit() {
    if (armed) process.kill(process.pid, 'SIGKILL');
  }
}
EventSubscriber()(KillAfterCommit);

class Root {}
Module({})(Root);

const app = await NestFactory.createApplicationContext(
  {
    module: Root,
    imports: [
      CacheKitModule.forRoot({ redis: config.redisUrl, namespace: config.namespace, operationTimeout: '2s' }),
      TypeOrmModule.forRoot({
        ...config.database,
        entities: [Product],
        subscribers: [KillAfterCommit],
        synchronize: false,
      }),
      CacheKitTypeOrmModule.forRoot({ rules: [rule], outbox: { relayInterval: '1h', relayAfter: '1h' } }),
    ],
  },
  { logger: ['error'] },
);
const dataSource = app.get(getDataSourceToken());

serveParent(app, {
  rename: async (message) => {
    armed = true;
    await dataSource.transaction(async (m) => {
      const product = await m.findOneByOrFail('Product', { id: message.id });
      product.name = message.name;
      await m.save('Product', product);
    });
    tellParent({ type: 'survived' });
  },
});
