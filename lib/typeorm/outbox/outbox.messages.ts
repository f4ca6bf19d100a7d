// Every user-facing message of the transactional outbox in one place, as functions.
export const outboxMessages = {
  invalidOption: (got: unknown) =>
    `CacheKitTypeOrmModule option 'outbox' takes true or { table, relayInterval, relayAfter, relayBatch }; got ${show(got)}.`,
  unknownOption: (name: string, known: readonly string[]) =>
    `Unknown option '${name}' in CacheKitTypeOrmModule option 'outbox'. Known options: ${known.join(', ')}.`,
  invalidTable: (got: unknown) =>
    `CacheKitTypeOrmModule option 'outbox.table' must be a table name of letters, digits and underscores, starting ` +
    `with a letter or underscore; got ${show(got)}.`,
  invalidBatch: (got: unknown) =>
    `CacheKitTypeOrmModule option 'outbox.relayBatch' must be a positive integer; got ${show(got)}.`,
  unsupportedDriver: (dataSource: string, type: string) =>
    `CacheKitTypeOrmModule option 'outbox': DataSource '${dataSource}' uses the '${type}' driver; the outbox supports ` +
    `postgres, sqlite and better-sqlite3. Leave the outbox off for this DataSource or list only supported ones in 'dataSources'.`,
  missingTable: (dataSource: string, table: string, cause: unknown) =>
    `CacheKitTypeOrmModule option 'outbox': the outbox table ${table} is not readable on DataSource '${dataSource}' ` +
    `(${cause instanceof Error ? cause.message : String(cause)}). Create it with the migration this package ships: add ` +
    `CacheKitOutboxMigration (from 'nestjs-cachekit/typeorm') to the DataSource's 'migrations' and run them.`,
  writeFailed: (table: string, cause: unknown) =>
    `The transaction's cache invalidations could not be written to the outbox table ${table} ` +
    `(${cause instanceof Error ? cause.message : String(cause)}), so the transaction was not committed: committing ` +
    `without its outbox row could leave stale cache entries after a crash. Check the table (CacheKitOutboxMigration).`,
  relayFailed: (dataSource: string, cause: unknown) =>
    `Outbox relay on DataSource '${dataSource}' failed (${cause instanceof Error ? cause.message : String(cause)}); ` +
    `its rows stay and the next run retries them.`,
  deleteFailed: (table: string, cause: unknown) =>
    `Could not delete a relayed row from the outbox table ${table} (${cause instanceof Error ? cause.message : String(cause)}); ` +
    `the relay evicts it again later (evictions are idempotent).`,
  unreadableRow: (table: string, id: string) =>
    `Outbox row '${id}' in ${table} is not a cachekit payload; it was removed without evicting anything.`,
};

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
