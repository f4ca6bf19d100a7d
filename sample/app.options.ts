import { resolve } from 'node:path';

/** Where the catalogue is stored. */
export type DatabaseOptions = { type: 'sqlite'; path: string } | { type: 'postgres'; url: string };

/** Everything the app needs from its environment; tests build one directly. */
export interface AppOptions {
  database: DatabaseOptions;
  /** Redis URL; absent: the cache uses its in-process memory store. */
  redis?: string;
  /** First part of every cache key. Default: 'catalogue'. */
  namespace?: string;
  /** Log every SQL statement. Default: false. */
  logSql?: boolean;
}

/** The default SQLite file, in the working directory. */
export const DEFAULT_SQLITE_FILE = 'catalogue.sqlite';

/**
 * Reads the app's options from environment variables: `DATABASE_URL` (postgres://...; absent:
 * SQLite in ./catalogue.sqlite), `REDIS_URL` (absent: in-memory cache) and `LOG_SQL=1`.
 */
export function appOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AppOptions {
  return {
    database: databaseFromUrl(env.DATABASE_URL),
    redis: env.REDIS_URL || undefined,
    logSql: env.LOG_SQL === '1' || env.LOG_SQL === 'true',
  };
}

function databaseFromUrl(url: string | undefined): DatabaseOptions {
  if (!url) return { type: 'sqlite', path: resolve(DEFAULT_SQLITE_FILE) };
  if (/^postgres(ql)?:\/\//.test(url)) return { type: 'postgres', url };
  // Fail at boot with the accepted form rather than guess at a driver.
  throw new Error(
    `DATABASE_URL must be a postgres:// or postgresql:// URL (unset: SQLite); got '${url.split(':')[0]}:...'`,
  );
}
