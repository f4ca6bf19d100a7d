import { Module } from '@nestjs/common';
import { CacheKitCdcConfigurableModule } from './cachekit-cdc.module-definition.js';
import { CacheKitCdc } from './cachekit-cdc.service.js';

/**
 * Evicts cache entries from PostgreSQL's logical replication stream: every committed insert,
 * update and delete of a table a rule names (raw SQL, bulk updates, triggers, other services) runs
 * the same `invalidate(Entity, ...)` rules as the TypeORM bridge. Needs CacheKitModule and TypeORM.
 * @example imports: [CacheKitModule.forRoot({ redis }), TypeOrmModule.forRoot({ type: 'postgres', ... }), CacheKitCdcModule.forRoot({ rules: [productRule] })]
 */
@Module({ providers: [CacheKitCdc], exports: [CacheKitCdc] })
export class CacheKitCdcModule extends CacheKitCdcConfigurableModule {}
