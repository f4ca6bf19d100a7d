// Every user-facing message of the TypeORM bridge in one place, as functions.
export const typeormMessages = {
  readAfterWrite: () =>
    `read inside a TypeORM transaction that has written: it may see uncommitted rows, so the cache is bypassed (nothing read from it, nothing stored)`,
  readInTransaction: () =>
    `read inside a TypeORM transaction (transactionReads: 'any'): the cache is bypassed (nothing read from it, nothing stored)`,
  readDuringSqliteWrite: () =>
    `read while a SQLite transaction that has written is open: SQLite's one connection shows its uncommitted rows to every query, so the cache is bypassed`,
  invalidTransactionReads: (got: unknown) =>
    `CacheKitTypeOrmModule option 'transactionReads' must be 'after-write' (default), 'any' or 'cache'; got ${show(got)}.`,
  retryMoved: () =>
    `CacheKitTypeOrmModule option 'retry' moved to CacheKitModule: set CacheKitModule.forRoot({ evictionRetry: { initialDelay, maxDelay, maxPending } }); ` +
    `every eviction the store does not confirm (post-commit or not) now waits in that one retry queue.`,
  invalidEntity: (got: unknown) =>
    `invalidate(entity, rule) needs an entity class (or entity name) as its first argument; got ${show(got)}.`,
  invalidRuleFunction: (entity: string, what: string, got: unknown) =>
    `invalidate(${entity}, ...): ${what} must be a function; got ${show(got)}.`,
  invalidEntry: (where: string, got: unknown) =>
    `${where} returned ${show(got)}; an eviction entry is a non-empty tag string or { definition, args } ` +
    `(a defineCache(...) definition and the arguments its readers use; cacheEntry(definition, ...args) builds one). ` +
    `null, undefined and false are skipped.`,
  ruleThrew: (where: string, cause: unknown) =>
    `${where} threw (${cause instanceof Error ? cause.message : String(cause)}); this change evicts nothing and the ` +
    `affected entries live until their TTL. Fix the rule.`,
  bulkWithoutHandler: (entity: string, kind: string) =>
    `${entity} was changed (${kind}) through a QueryBuilder, repository.update()/delete() or similar: the changed rows ` +
    `are unknown, so nothing was evicted. Add a 'bulk' handler to invalidate(${entity}, ...), or call ` +
    `evictAfterCommit(manager, [...]) next to that query.`,
  dataSourceNotFound: (name: string) =>
    `CacheKitTypeOrmModule: no DataSource named '${name}' in this app. Register it with TypeOrmModule.forRoot({ name: '${name}', ... }), or pass the DataSource instance itself.`,
  noDataSources: () =>
    `CacheKitTypeOrmModule: found no TypeORM DataSource in this app. Import TypeOrmModule.forRoot(...) or pass dataSources: [dataSource].`,
  notInitialized: (name: string) =>
    `CacheKitTypeOrmModule: DataSource '${name}' is not initialized. Call await dataSource.initialize() before the app starts (TypeORM replaces its subscriber list while initializing).`,
  notADataSource: (got: unknown) =>
    `CacheKitTypeOrmModule option 'dataSources' takes data source names (strings) or TypeORM DataSource instances; got ${show(got)}.`,
  notRegistered: (where: string) =>
    `${where}: no CacheKitTypeOrmModule watches this DataSource. Add it to CacheKitTypeOrmModule.forRoot({ dataSources }) (by default every DataSource of the app is watched).`,
  notAManager: (got: unknown) => `evictAfterCommit needs a TypeORM QueryRunner or EntityManager; got ${show(got)}.`,
  unknownOption: (name: string, known: readonly string[]) =>
    `Unknown option '${name}' in CacheKitTypeOrmModule options. Known options: ${known.join(', ')}.`,
  invalidPositiveInt: (where: string, got: unknown) => `${where} must be a positive integer; got ${show(got)}.`,
  invalidRules: (got: unknown) =>
    `CacheKitTypeOrmModule option 'rules' must be an array of invalidate(...) results; got ${show(got)}.`,
};

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return value.name ? `the function ${value.name}` : 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
