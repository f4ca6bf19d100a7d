import type { EntityMetadata, InsertEvent, ObjectLiteral, RemoveEvent, UpdateEvent } from 'typeorm';
import type { BulkChange, EntityChange, EntityChangeKind } from './entity-change.interface.js';

type RemovalKind = 'remove' | 'soft-remove' | 'recover';

/** The change an afterInsert describes (save(), insert() and InsertQueryBuilder all give the values). */
export function readInsert(event: InsertEvent<ObjectLiteral>): EntityChange | undefined {
  const after = event.entity;
  if (!after) return undefined;
  const id = idOf(event.metadata, after, event.entityId);
  return change('insert', event.metadata, undefined, after, id, []);
}

/**
 * The change an afterUpdate describes. save() gives the loaded row and the changed columns; a
 * QueryBuilder / repository.update() gives only the SET values (a bulk change). Undefined when
 * nothing changed.
 */
export function readUpdate(event: UpdateEvent<ObjectLiteral>): EntityChange | BulkChange | undefined {
  const { metadata, databaseEntity, entity } = event;
  const changedColumns = event.updatedColumns.map((column) => column.propertyPath);
  const changedRelations = event.updatedRelations.map((relation) => relation.propertyPath);
  if (!databaseEntity) {
    if (changedColumns.length > 0 || changedRelations.length > 0) {
      // save() of a row it could not load: only the saved values are known.
      return entity ? change('update', metadata, undefined, entity, idOf(metadata, entity), changedColumns) : undefined;
    }
    return { kind: 'update', entityName: metadata.name, values: entity };
  }
  if (changedColumns.length === 0 && changedRelations.length === 0) return undefined;
  const after = overlay(databaseEntity, entity);
  return change('update', metadata, databaseEntity, after, idOf(metadata, databaseEntity), [
    ...changedColumns,
    ...changedRelations,
  ]);
}

/**
 * The change an afterRemove / afterSoftRemove / afterRecover describes. After remove() the entity's
 * primary columns are already undefined, so the id comes from `entityId` or the loaded row.
 */
export function readRemoval(kind: RemovalKind, event: RemoveEvent<ObjectLiteral>): EntityChange | BulkChange {
  const { metadata, databaseEntity, entity, entityId } = event;
  if (!databaseEntity && !entity) return { kind, entityName: metadata.name };
  const id = idOf(metadata, databaseEntity ?? entity!, entityId);
  const before = databaseEntity ?? withId(metadata, entity!, id);
  const after = kind === 'remove' ? undefined : overlay(before, entity);
  return change(kind, metadata, before, after, id, []);
}

function change(
  kind: EntityChangeKind,
  metadata: EntityMetadata,
  before: ObjectLiteral | undefined,
  after: ObjectLiteral | undefined,
  id: ObjectLiteral,
  changedColumns: string[],
): EntityChange {
  return { kind, entityName: metadata.name, before, after, row: (after ?? before)!, id, changedColumns };
}

// The row after an update: what was saved (a full entity or a partial object) over what was loaded.
function overlay(loaded: ObjectLiteral, saved: ObjectLiteral | undefined): ObjectLiteral {
  const row = Object.assign(Object.create(Object.getPrototypeOf(loaded)) as ObjectLiteral, loaded);
  for (const [property, value] of Object.entries(saved ?? {})) if (value !== undefined) row[property] = value;
  return row;
}

function withId(metadata: EntityMetadata, entity: ObjectLiteral, id: ObjectLiteral): ObjectLiteral {
  const row = Object.assign(Object.create(Object.getPrototypeOf(entity)) as ObjectLiteral, entity);
  for (const column of metadata.primaryColumns) {
    const value = column.getEntityValue(id);
    if (value !== undefined) column.setEntityValue(row, value);
  }
  return row;
}

function idOf(metadata: EntityMetadata, entity: ObjectLiteral, given?: unknown): ObjectLiteral {
  if (given && typeof given === 'object') return given as ObjectLiteral;
  if (given !== undefined && metadata.primaryColumns.length === 1) {
    return { [metadata.primaryColumns[0]!.propertyName]: given };
  }
  return metadata.getEntityIdMap(entity) ?? {};
}
