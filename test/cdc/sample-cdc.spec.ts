import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createRequire } from 'node:module';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { CacheKitCdc } from '../../lib/cdc/index.js';
import { AppModule } from '../../sample/app.module.js';
import { uniqueNamespace } from '../support/app.js';
import { logicalReplicationUnavailable } from '../support/postgres.js';
import { until } from './cdc-app.js';

const { Client } = createRequire(import.meta.url)('pg') as {
  Client: new (url: string) => { connect(): Promise<void>; query(sql: string): Promise<unknown>; end(): Promise<void> };
};

async function admin(url: string, sql: string, params: unknown[] = []): Promise<void> {
  const source = await new DataSource({ type: 'postgres', url, extra: { max: 1 } }).initialize();
  try {
    await source.query(sql, params);
  } finally {
    await source.destroy();
  }
}

let skip: string | undefined;
beforeAll(async () => {
  skip = await logicalReplicationUnavailable(inject('databaseUrl'));
});

describe('the sample with CDC on (DATABASE_URL=postgres://... CDC=1 npm start)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  });

  it('a psql-style UPDATE from outside the app is reflected on the next read', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const server = inject('databaseUrl');
    const name = `sample_${uniqueNamespace()
      .replace(/[^a-z0-9]/gi, '_')
      .toLowerCase()}`;
    await admin(server, `CREATE DATABASE "${name}"`);
    cleanups.push(() => admin(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    // A logical slot belongs to its database and must go before it.
    cleanups.push(() => admin(server, 'SELECT pg_drop_replication_slot($1)', [name]));
    const url = new URL(server);
    url.pathname = `/${name}`;
    const moduleRef = await Test.createTestingModule({
      imports: [
        AppModule.forRoot({
          database: { type: 'postgres', url: url.toString() },
          redis: inject('redisUrl'),
          namespace: uniqueNamespace(),
          statsDelayMs: 0,
          cdc: true,
          cdcSlot: name,
        }),
      ],
    }).compile();
    const app: INestApplication = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
    cleanups.push(() => app.close());
    await until(() => app.get(CacheKitCdc).stats().state === 'active');

    const before = await request(app.getHttpServer()).get('/products/1').expect(200);
    expect(before.body).toMatchObject({ id: 1, name: 'Desk lamp' });

    const psql = new Client(url.toString());
    await psql.connect();
    await psql.query(`UPDATE products SET name = 'Desk lamp (from psql)' WHERE id = 1`);
    await psql.end();

    await until(
      async () => (await request(app.getHttpServer()).get('/products/1')).body.name === 'Desk lamp (from psql)',
    );
  });
});
