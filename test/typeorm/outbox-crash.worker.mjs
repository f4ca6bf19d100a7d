// An app instance (the built package) that writes through the outbox and is killed right after its
// COMMIT returns, before the bridge evicts: a subscriber registered ahead of the bridge SIGKILLs
// the process in afterTransactionCommit. Driven by test/typeorm/outbox-crash.spec.ts over IPC.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { EventSubscriber } from 'typeorm';
import { CacheKitModule } from 'nestjs-cachekit';
import { CacheKitTypeOrmModule } from 'nestjs-cachekit/typeorm';
import { productRule, productSchema } from '../support/catalog-orm.worker.mjs';
import { serveParent, tellParent, workerConfig as config } from '../support/worker-child.mjs';

const Product = productSchema(config.database.type === 'postgres' ? 'timestamp' : 'datetime');
const rule = productRule();

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
