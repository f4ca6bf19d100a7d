import { InstanceChecker } from 'typeorm';
import type { DataSource } from 'typeorm';
import { Duration, parseDuration } from '../definitions/duration.js';
import type { InvalidationRule } from '../typeorm/index.js';
import { CacheKitCdcOptionsError } from './cdc.errors.js';
import type { PgConnectionConfig } from './pg-client.js';
import { cdcMessages } from './cdc.messages.js';

/**
 * Options of `CacheKitCdcModule.forRoot` / `forRootAsync`.
 * @example CacheKitCdcModule.forRoot({ rules: [productRule], slot: 'shop_cache' })
 */
export interface CacheKitCdcModuleOptions {
  /** Invalidation rules (`invalidate(...)`). Default: the rules of CacheKitTypeOrmModule in this app. */
  rules?: InvalidationRule[];
  /** The TypeORM DataSource whose entity metadata maps WAL columns to properties: a name or an instance. Default: 'default'. */
  dataSource?: string | DataSource;
  /** Connection of the replication client (a role with REPLICATION). Default: the DataSource's url / host, port, user, password, database. */
  connection?: string | PgConnectionConfig;
  /** Logical replication slot (created with the pgoutput plugin when missing). Default: 'cachekit_cdc'. */
  slot?: string;
  /** Publication (created over the rules' tables when missing). Default: 'cachekit_cdc'. */
  publication?: string;
  /** Create the publication and the slot when they do not exist. Default: true. */
  create?: boolean;
  /** Rows of one entity in one transaction above which the rule's `bulk` handler replaces per-row rules. Default: 1000. */
  bulkThreshold?: number;
  /** Entries and tags per store call when a transaction evicts many. Default: 500. */
  batchSize?: number;
  /** How often a standby instance tries to take the slot, and the reconnect delay after an error. Default: '2s'. */
  retryInterval?: Duration;
}

/** Options after validation. */
export interface ResolvedCdcOptions {
  rules?: InvalidationRule[];
  dataSource: string | DataSource;
  connection?: string | PgConnectionConfig;
  slot: string;
  publication: string;
  create: boolean;
  bulkThreshold: number;
  batchSize: number;
  retryIntervalMs: number;
}

const KNOWN: readonly (keyof CacheKitCdcModuleOptions)[] = [
  'rules',
  'dataSource',
  'connection',
  'slot',
  'publication',
  'create',
  'bulkThreshold',
  'batchSize',
  'retryInterval',
];
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Checks every option at boot; errors name the option and the accepted forms. */
export function resolveCdcOptions(options: CacheKitCdcModuleOptions = {}): ResolvedCdcOptions {
  for (const name of Object.keys(options)) {
    if (!KNOWN.includes(name as keyof CacheKitCdcModuleOptions) && name !== 'isGlobal') {
      throw new CacheKitCdcOptionsError(cdcMessages.unknownOption(name, KNOWN));
    }
  }
  if (
    options.rules !== undefined &&
    (!Array.isArray(options.rules) || options.rules.some((rule) => typeof rule?.entries !== 'function'))
  ) {
    throw new CacheKitCdcOptionsError(cdcMessages.invalidRules(options.rules));
  }
  const dataSource = options.dataSource ?? 'default';
  if (!(typeof dataSource === 'string' && dataSource !== '') && !InstanceChecker.isDataSource(dataSource)) {
    throw new CacheKitCdcOptionsError(cdcMessages.invalidDataSource(dataSource));
  }
  return {
    rules: options.rules,
    dataSource,
    connection: options.connection,
    slot: identifier(options.slot ?? 'cachekit_cdc', 'slot'),
    publication: identifier(options.publication ?? 'cachekit_cdc', 'publication'),
    create: options.create ?? true,
    bulkThreshold: positive(options.bulkThreshold ?? 1000, 'bulkThreshold'),
    batchSize: positive(options.batchSize ?? 500, 'batchSize'),
    retryIntervalMs: duration(options.retryInterval ?? '2s', 'retryInterval'),
  };
}

function identifier(value: unknown, option: string): string {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    throw new CacheKitCdcOptionsError(cdcMessages.invalidName(option, value));
  }
  return value;
}

function positive(value: unknown, option: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new CacheKitCdcOptionsError(cdcMessages.invalidPositiveInt(option, value));
  }
  return value as number;
}

function duration(value: unknown, option: string): number {
  try {
    return parseDuration(value, `CacheKitCdcModule option '${option}'`);
  } catch (error) {
    throw new CacheKitCdcOptionsError((error as Error).message);
  }
}
