// Every user-facing message of the CDC consumer in one place, as functions.
export const cdcMessages = {
  unknownOption: (name: string, known: readonly string[]) =>
    `Unknown option '${name}' in CacheKitCdcModule options. Known options: ${known.join(', ')}.`,
  invalidName: (option: string, got: unknown) =>
    `CacheKitCdcModule option '${option}' must be a PostgreSQL identifier of lowercase letters, digits and ` +
    `underscores (at most 63, starting with a letter or underscore); got ${show(got)}.`,
  invalidPositiveInt: (option: string, got: unknown) =>
    `CacheKitCdcModule option '${option}' must be a positive integer; got ${show(got)}.`,
  invalidRules: (got: unknown) =>
    `CacheKitCdcModule option 'rules' must be an array of invalidate(...) results from 'nestjs-cachekit/typeorm'; got ${show(got)}.`,
  invalidDataSource: (got: unknown) =>
    `CacheKitCdcModule option 'dataSource' takes a TypeOrmModule data source name or an initialized DataSource; got ${show(got)}.`,
  dataSourceNotFound: (name: string) =>
    `CacheKitCdcModule: no DataSource named '${name}' in this app (the CDC consumer maps WAL columns to entity ` +
    `properties with its metadata). Register it with TypeOrmModule, or pass the DataSource instance as 'dataSource'.`,
  notPostgres: (type: string) =>
    `CacheKitCdcModule: the DataSource uses the '${type}' driver; change data capture reads PostgreSQL's logical ` +
    `replication stream only. Use the outbox (CacheKitTypeOrmModule option 'outbox') for other databases.`,
  noRules: () =>
    `CacheKitCdcModule: no invalidation rules. Pass rules: [invalidate(Entity, ...)] or import CacheKitTypeOrmModule ` +
    `(its rules are reused).`,
  ruleEntityUnknown: (entity: string) =>
    `CacheKitCdcModule: the rule for '${entity}' names no entity of the DataSource; add the entity to its 'entities'.`,
  walLevel: (level: string) =>
    `CacheKitCdcModule: PostgreSQL runs with wal_level=${level}; logical replication needs wal_level=logical ` +
    `(set it in postgresql.conf or with ALTER SYSTEM SET wal_level = logical, then restart PostgreSQL).`,
  connectFailed: (cause: unknown) =>
    `CacheKitCdcModule: the replication consumer lost or could not open its connection (${reason(cause)}); ` +
    `retrying. Committed changes wait in the replication slot meanwhile (they are not lost).`,
  unmappedTable: (table: string, why: string) =>
    `CacheKitCdcModule: rows of ${table} cannot be mapped to the entity (${why}); its changes use the rule's bulk ` +
    `handler until the entity and the table agree again.`,
  bulkWithoutHandler: (entity: string) =>
    `CacheKitCdcModule: a change of ${entity} had to use the bulk path (a large transaction, a TRUNCATE or an unreadable ` +
    `row), but invalidate(${entity}, ...) has no 'bulk' handler: nothing was evicted. Add a 'bulk' handler.`,
  evictionWaiting: (attempt: number) =>
    `CacheKitCdcModule: the cache store has not confirmed a committed transaction's eviction (attempt ${attempt}); ` +
    `the stream waits (the LSN is not acknowledged) and retries.`,
};

function reason(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return value.name ? `the function ${value.name}` : 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
