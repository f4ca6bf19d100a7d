import { Table, TableIndex } from 'typeorm';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_OUTBOX_TABLE } from './outbox.options.js';
import { OutboxError } from './outbox.errors.js';
import { outboxMessages } from './outbox.messages.js';

/** A TypeORM migration class (TypeORM instantiates it without arguments). */
export type OutboxMigrationClass = new () => MigrationInterface;

/**
 * Builds the migration that creates (up) and drops (down) an outbox table of this name, for a table
 * other than the default; its class name ends in the timestamp TypeORM orders migrations by.
 * @example migrations: [createOutboxMigration('shop_outbox')] with CacheKitTypeOrmModule.forRoot({ outbox: { table: 'shop_outbox' } })
 */
export function createOutboxMigration(table: string = DEFAULT_OUTBOX_TABLE): OutboxMigrationClass {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) throw new OutboxError(outboxMessages.invalidTable(table));
  const name = table === DEFAULT_OUTBOX_TABLE ? 'CacheKitOutbox1764547200000' : `CacheKitOutbox_${table}1764547200000`;
  return class implements MigrationInterface {
    name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.createTable(
        new Table({
          name: table,
          columns: [
            // Random ids, so writers never contend on a sequence and rows need no RETURNING.
            { name: 'id', type: 'varchar', length: '36', isPrimary: true },
            { name: 'created_ms', type: 'bigint' },
            { name: 'payload', type: 'text' },
          ],
        }),
        true,
      );
      await queryRunner.createIndex(
        table,
        new TableIndex({ name: `IDX_${table}_created`, columnNames: ['created_ms'] }),
      );
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.dropTable(table, true);
    }
  };
}

/**
 * The migration that creates the default outbox table `cachekit_outbox` (id, created_ms, payload).
 * @example TypeOrmModule.forRoot({ ..., migrations: [CacheKitOutboxMigration], migrationsRun: true })
 */
export const CacheKitOutboxMigration: OutboxMigrationClass = createOutboxMigration();
