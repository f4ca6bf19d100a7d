import { DynamicModule, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CacheKitCdcModule } from '../../lib/cdc/index.js';
import type { AppOptions } from '../app.options.js';
import { CatalogueConfigError } from '../config.error.js';

/** True when `CDC=1` (or `cdc: true` in the options): evict from PostgreSQL's WAL as well. */
export function cdcEnabled(options: AppOptions | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  const on = options ? options.cdc === true : env.CDC === '1' || env.CDC === 'true';
  const database = options?.database.type ?? (env.DATABASE_URL ? 'postgres' : 'sqlite');
  if (on && database !== 'postgres') {
    throw new CatalogueConfigError(
      'CDC=1 needs PostgreSQL: set DATABASE_URL=postgres://... (a server with wal_level=logical), or leave CDC unset.',
    );
  }
  return on;
}

/**
 * Gives the product table its whole old row in the WAL, so a raw `UPDATE ... SET "categoryId"`
 * evicts the old category's list as well as the new one.
 */
@Injectable()
class ReplicaIdentityFull implements OnModuleInit {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    await this.dataSource.query('ALTER TABLE products REPLICA IDENTITY FULL');
  }
}

/**
 * The CDC consumer for the sample (the rules are the bridge's: ProductsModule's `productChanges`),
 * or nothing when CDC is off. Any writer's change is evicted: `psql -c "UPDATE products ..."` too.
 */
export function cdcModules(options: AppOptions | undefined): DynamicModule[] {
  if (!cdcEnabled(options)) return [];
  const slot = (options ? options.cdcSlot : process.env.CDC_SLOT) || 'catalogue_cdc';
  return [
    {
      module: CatalogueCdcModule,
      imports: [CacheKitCdcModule.forRoot({ slot, publication: 'catalogue_cdc' })],
      providers: [ReplicaIdentityFull],
    },
  ];
}

@Module({})
class CatalogueCdcModule {}
