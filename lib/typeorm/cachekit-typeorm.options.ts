import { InstanceChecker } from 'typeorm';
import type { DataSource } from 'typeorm';
import { Duration, parseDuration } from '../definitions/duration.js';
import type { InvalidationRule } from './typeorm-invalidation.registry.js';
import type { TransactionReads } from './dirty-transactions.js';
import { OutboxOptions, ResolvedOutboxOptions, resolveOutboxOptions } from './outbox/outbox.options.js';
import { CacheKitTypeOrmOptionsError } from './typeorm.errors.js';
import { typeormMessages } from './typeorm.messages.js';

/** Options of `CacheKitTypeOrmModule.forRoot` / `forRootAsync`. @example { rules: [productRule], dataSources: ['default', 'reporting'] } */
export interface CacheKitTypeOrmModuleOptions {
  /** Invalidation rules (`invalidate(...)` results). Default: none; feature modules add theirs with `forFeature`. */
  rules?: InvalidationRule[];
  /**
   * DataSources to watch: names of TypeOrmModule data sources ('default' is the unnamed one) or
   * initialized DataSource instances. Default: every DataSource provider of the app.
   */
  dataSources?: (string | DataSource)[];
  /**
   * Longest a commit hook waits for the store to confirm (each store call is also bounded by
   * CacheKitModule's `operationTimeout`); a later answer is handled in the background. Default: '250ms'.
   */
  commitWait?: Duration;
  /**
   * Cached reads inside a transaction (`dataSource.transaction(...)` / `manager.transaction(...)`):
   * 'after-write' bypasses the cache once the transaction has written through an entity (it may
   * read uncommitted rows, and a rollback would leave them cached); 'any' inside every transaction;
   * 'cache' leaves them cached. Default: 'after-write'. See docs/fail-safe.md for how it is detected.
   */
  transactionReads?: TransactionReads;
  /**
   * Transactional outbox: each transaction's invalidations are written to an outbox table before its
   * COMMIT and replayed by a relay if the eviction never landed (crash, Redis down). Needs the table
   * (CacheKitOutboxMigration). Default: off.
   */
  outbox?: boolean | OutboxOptions;
}

/** Options after validation, with every default applied. */
export interface ResolvedTypeOrmOptions {
  rules: InvalidationRule[];
  dataSources?: (string | DataSource)[];
  commitWaitMs: number;
  transactionReads: TransactionReads;
  outbox?: ResolvedOutboxOptions;
}

const KNOWN: readonly (keyof CacheKitTypeOrmModuleOptions)[] = [
  'rules',
  'dataSources',
  'commitWait',
  'transactionReads',
  'outbox',
];
const TRANSACTION_READS: readonly unknown[] = ['after-write', 'any', 'cache'];

/** Checks every option at boot; errors name the option and the accepted forms. */
export function resolveTypeOrmOptions(options: CacheKitTypeOrmModuleOptions = {}): ResolvedTypeOrmOptions {
  for (const name of Object.keys(options)) {
    if (name === 'retry') throw new CacheKitTypeOrmOptionsError(typeormMessages.retryMoved());
    if (!KNOWN.includes(name as keyof CacheKitTypeOrmModuleOptions) && name !== 'isGlobal') {
      throw new CacheKitTypeOrmOptionsError(typeormMessages.unknownOption(name, KNOWN));
    }
  }
  const rules = options.rules ?? [];
  if (!Array.isArray(rules) || rules.some((rule) => typeof rule?.entries !== 'function')) {
    throw new CacheKitTypeOrmOptionsError(typeormMessages.invalidRules(rules));
  }
  for (const source of options.dataSources ?? []) {
    if (!(typeof source === 'string' && source !== '') && !InstanceChecker.isDataSource(source)) {
      throw new CacheKitTypeOrmOptionsError(typeormMessages.notADataSource(source));
    }
  }
  const transactionReads = options.transactionReads ?? 'after-write';
  if (!TRANSACTION_READS.includes(transactionReads)) {
    throw new CacheKitTypeOrmOptionsError(typeormMessages.invalidTransactionReads(transactionReads));
  }
  return {
    transactionReads,
    rules,
    dataSources: options.dataSources,
    commitWaitMs: duration(options.commitWait ?? '250ms', 'commitWait'),
    outbox: resolveOutboxOptions(options.outbox),
  };
}

function duration(value: unknown, option: string): number {
  try {
    return parseDuration(value, `CacheKitTypeOrmModule option '${option}'`);
  } catch (error) {
    throw new CacheKitTypeOrmOptionsError((error as Error).message);
  }
}
