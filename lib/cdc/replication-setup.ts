import type { DataSource, EntityMetadata } from 'typeorm';
import { CacheKitCdcSetupError } from './cdc.errors.js';
import { cdcMessages } from './cdc.messages.js';
import type { PgClient } from './pg-client.js';

const DUPLICATE_OBJECT = '42710';

/** Fails boot unless the server can decode its WAL for us (wal_level=logical). */
export async function checkWalLevel(client: PgClient): Promise<void> {
  const { rows } = await client.query<{ wal_level: string }>('SHOW wal_level');
  const level = rows[0]?.wal_level ?? 'unknown';
  if (level !== 'logical') throw new CacheKitCdcSetupError(cdcMessages.walLevel(level));
}

/**
 * Creates the publication (over `tables`) and the pgoutput slot when missing. Several instances may
 * boot at once: "already exists" from a concurrent creation is success.
 */
export async function ensurePublicationAndSlot(
  client: PgClient,
  publication: string,
  slot: string,
  tables: readonly string[],
): Promise<void> {
  const pub = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [publication]);
  if (pub.rows.length === 0) {
    await tolerateDuplicate(client.query(`CREATE PUBLICATION "${publication}" FOR TABLE ${tables.join(', ')}`));
  }
  const found = await client.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  if (found.rows.length === 0) {
    await tolerateDuplicate(client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]));
  }
}

/** The quoted `"schema"."table"` of every entity a rule names (the publication's tables). */
export function publishedTables(dataSource: DataSource, metadatas: readonly EntityMetadata[]): string[] {
  const defaultSchema = (dataSource.options as { schema?: string }).schema ?? 'public';
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  return [...new Set(metadatas.map((m) => `${quote(m.schema ?? defaultSchema)}.${quote(m.tableName)}`))];
}

/** The entity metadata of each rule's entity; throws naming a rule whose entity the DataSource lacks. */
export function ruleMetadatas(dataSource: DataSource, entities: readonly (string | Function)[]): EntityMetadata[] {
  return entities
    .map((entity) => {
      const name = typeof entity === 'string' ? entity : entity.name;
      const found = dataSource.entityMetadatas.filter((m) =>
        typeof entity === 'string' ? m.name === entity || m.targetName === entity : m.inheritanceTree.includes(entity),
      );
      if (found.length === 0) throw new CacheKitCdcSetupError(cdcMessages.ruleEntityUnknown(name));
      return found;
    })
    .flat();
}

async function tolerateDuplicate(query: Promise<unknown>): Promise<void> {
  try {
    await query;
  } catch (error) {
    if ((error as { code?: string }).code !== DUPLICATE_OBJECT) throw error;
  }
}
