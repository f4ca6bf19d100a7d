// Another app instance running the CDC consumer (the built package), driven by
// test/cdc/cdc-processes.spec.ts over IPC: it reports its state and each COMMIT it receives, so the
// test can SIGKILL it between a COMMIT arriving and its eviction being confirmed.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CacheKitModule } from 'nestjs-cachekit';
import { CacheKitCdc, CacheKitCdcModule } from 'nestjs-cachekit/cdc';
import { productRule, productSchema } from '../support/catalog-orm.worker.mjs';
import { serveParent, tellParent, workerConfig as config } from '../support/worker-child.mjs';

const Product = productSchema('timestamp');
const rule = productRule({ bulk: () => ['catalog'] });

class Root {}
Module({})(Root);

const app = await NestFactory.createApplicationContext(
  {
    module: Root,
    imports: [
      CacheKitModule.forRoot({ redis: config.redisUrl, namespace: config.namespace, operationTimeout: '300ms' }),
      TypeOrmModule.forRoot({ ...config.database, entities: [Product], synchronize: false }),
      CacheKitCdcModule.forRoot({ rules: [rule], slot: config.slot, publication: config.slot, retryInterval: '200ms' }),
    ],
  },
  { logger: ['error'] },
);
app.get(CacheKitCdc).events$.subscribe((event) => {
  if (event.type === 'state') tellParent({ type: event.state });
  if (event.type === 'received') tellParent({ type: 'received', lsn: event.lsn });
  if (event.type === 'evicted') tellParent({ type: 'evicted', lsn: event.lsn });
});
serveParent(app);
