import type { DataSource, EntityMetadata, ObjectLiteral } from 'typeorm';
import type { BulkChange, EntityChange } from '../typeorm/index.js';

/** The parts of a pgoutput relation message the mapper reads. */
export interface WalRelation {
  schema: string;
  name: string;
  columns: { name: string }[];
}

/** One row change from the WAL, as pgoutput decodes it. */
export interface WalRowChange {
  tag: 'insert' | 'update' | 'delete';
  relation: WalRelation;
  /** The new row (insert, update). */
  new?: Record<string, unknown> | null;
  /** The old row under REPLICA IDENTITY FULL (update, delete). */
  old?: Record<string, unknown> | null;
  /** The old key columns only (REPLICA IDENTITY DEFAULT: on delete, and on update when the key changed). */
  key?: Record<string, unknown> | null;
}

/** What a change maps to: the entity and a row change, or a bulk change when the row cannot be read. */
export type MappedChange =
  | { metadata: EntityMetadata; change: EntityChange }
  | { metadata: EntityMetadata; change: BulkChange; unreadable: string };

/**
 * Turns WAL tuples (column names) into entity changes (property names) with the DataSource's
 * metadata, so the bridge's `invalidate(Entity, change => ...)` rules run unchanged.
 */
export class WalRowMapper {
  readonly #byTable = new Map<string, EntityMetadata | null>();

  constructor(private readonly dataSource: DataSource) {}

  /** The entity of a table, or undefined for a table no entity maps (its changes are ignored). */
  metadataOf(relation: Pick<WalRelation, 'schema' | 'name'>): EntityMetadata | undefined {
    const id = `${relation.schema}.${relation.name}`;
    if (!this.#byTable.has(id)) {
      const defaultSchema = (this.dataSource.options as { schema?: string }).schema ?? 'public';
      const found = this.dataSource.entityMetadatas.find(
        (m) =>
          m.tableType !== 'view' && m.tableName === relation.name && (m.schema ?? defaultSchema) === relation.schema,
      );
      this.#byTable.set(id, found ?? null);
    }
    return this.#byTable.get(id) ?? undefined;
  }

  /** The change, or undefined when the table maps no entity. */
  map(wal: WalRowChange): MappedChange | undefined {
    const metadata = this.metadataOf(wal.relation);
    if (!metadata) return undefined;
    const missing = missingColumns(metadata, wal.relation);
    const kind = wal.tag === 'delete' ? 'remove' : wal.tag;
    if (missing.length > 0) {
      const why = `the table has no column ${missing.join(', ')} (dropped or renamed?)`;
      return {
        metadata,
        change: { kind: kind === 'insert' ? 'update' : kind, entityName: metadata.name },
        unreadable: why,
      };
    }
    const after = wal.tag === 'delete' || !wal.new ? undefined : toEntity(metadata, wal.new);
    const oldTuple = wal.old ?? wal.key ?? undefined;
    const before = wal.tag === 'insert' || !oldTuple ? undefined : toEntity(metadata, oldTuple);
    const row = (after ?? before)!;
    const id = metadata.getEntityIdMap(row) ?? {};
    const changedColumns = wal.tag === 'update' ? changed(metadata, wal.old ?? undefined, wal.new ?? undefined) : [];
    return { metadata, change: { kind, entityName: metadata.name, before, after, row, id, changedColumns } };
  }
}

// Entity columns the table does not have; a TOASTed value left out of an update is not "missing".
function missingColumns(metadata: EntityMetadata, relation: WalRelation): string[] {
  const present = new Set(relation.columns.map((c) => c.name));
  return metadata.columns.filter((c) => !c.isVirtual && !present.has(c.databaseName)).map((c) => c.databaseName);
}

function toEntity(metadata: EntityMetadata, tuple: Record<string, unknown>): ObjectLiteral {
  const entity = metadata.create(undefined, { fromDeserializer: true }) as ObjectLiteral;
  for (const column of metadata.columns) {
    if (column.isVirtual || !(column.databaseName in tuple)) continue;
    const value = tuple[column.databaseName];
    if (value !== undefined) column.setEntityValue(entity, value);
  }
  return entity;
}

// With the old row (REPLICA IDENTITY FULL) the changed columns are known; without it, every column may have.
function changed(
  metadata: EntityMetadata,
  old: Record<string, unknown> | undefined,
  now: Record<string, unknown> | undefined,
): string[] {
  const columns = metadata.columns.filter((c) => !c.isVirtual);
  if (!old || !now) return columns.map((c) => c.propertyPath);
  return columns.filter((c) => String(old[c.databaseName]) !== String(now[c.databaseName])).map((c) => c.propertyPath);
}
