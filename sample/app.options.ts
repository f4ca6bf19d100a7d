import { ConfigService } from '@nestjs/config';
import { resolve } from 'node:path';
import type { Duration } from '../lib/index.js';
import { CatalogueConfigError } from './config.error.js';
import { badDatabaseUrl, badDuration, badMilliseconds, badPort, badRedisUrl } from './sample.messages.js';

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
  /** How long the category statistics aggregate takes (it stands for an expensive query). Default: 300. */
  statsDelayMs?: number;
  /** Also evict from PostgreSQL's WAL (CDC), so writes from any client are seen. Default: false (`CDC=1`). */
  cdc?: boolean;
  /** The replication slot of the CDC consumer (unique per PostgreSQL server). Default: 'catalogue_cdc' (`CDC_SLOT`). */
  cdcSlot?: string;
}

/** Where ConfigModule keeps the AppOptions: `config.getOrThrow<AppOptions>(APP_CONFIG)`. */
export const APP_CONFIG = 'catalogue';

/** The AppOptions the app was built from, as ConfigModule holds them. */
export function appOptionsOf(config: ConfigService): AppOptions {
  return config.getOrThrow<AppOptions>(APP_CONFIG);
}

/** The default SQLite file, in the working directory. */
export const DEFAULT_SQLITE_FILE = 'catalogue.sqlite';

/** Default of `statsDelayMs`. */
export const DEFAULT_STATS_DELAY_MS = 300;

/** The HTTP port without `PORT`. */
export const DEFAULT_PORT = 3000;

/**
 * Reads the app's options from environment variables: `DATABASE_URL` (postgres://...; absent:
 * SQLite in ./catalogue.sqlite), `REDIS_URL` (absent: in-memory cache), `STATS_DELAY_MS` and `LOG_SQL=1`.
 * A bad value throws a CatalogueConfigError naming the variable.
 */
export function appOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AppOptions {
  return {
    database: databaseFromUrl(env.DATABASE_URL),
    redis: redisFromUrl(env.REDIS_URL),
    logSql: env.LOG_SQL === '1' || env.LOG_SQL === 'true',
    statsDelayMs: nonNegativeInt(env.STATS_DELAY_MS, 'STATS_DELAY_MS', DEFAULT_STATS_DELAY_MS),
    cdc: env.CDC === '1' || env.CDC === 'true',
    cdcSlot: env.CDC_SLOT || undefined,
  };
}

/**
 * Freshness windows of the category statistics: `STATS_FRESH` (default '30s') and `STATS_STALE`
 * (default '1h'). Decorator arguments are evaluated once, when their class is defined, so these
 * two are read from the environment at import time rather than injected.
 */
export function statsWindowsFromEnv(env: NodeJS.ProcessEnv = process.env): { fresh: Duration; stale: Duration } {
  return {
    fresh: durationFrom(env.STATS_FRESH, 'STATS_FRESH', '30s'),
    stale: durationFrom(env.STATS_STALE, 'STATS_STALE', '1h'),
  };
}

/**
 * The port `npm start` listens on: `PORT`, 0 to 65535 (0: any free port); absent: 3000. Read
 * apart from AppOptions because only main.ts listens (tests serve the app in-process).
 */
export function portFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.PORT;
  if (value === undefined || value === '') return DEFAULT_PORT;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) throw new CatalogueConfigError(badPort(value));
  return Number(value);
}

function databaseFromUrl(url: string | undefined): DatabaseOptions {
  if (!url) return { type: 'sqlite', path: resolve(DEFAULT_SQLITE_FILE) };
  if (/^postgres(ql)?:\/\//.test(url)) return { type: 'postgres', url };
  // Fail at boot with the accepted form rather than guess at a driver.
  throw new CatalogueConfigError(badDatabaseUrl(url));
}

// ioredis reads nearly any string as a host name ('http://cache:6379' included): check the form here.
function redisFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  if (/^rediss?:\/\/[^/]/.test(url) && URL.canParse(url)) return url;
  throw new CatalogueConfigError(badRedisUrl(url));
}

function nonNegativeInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new CatalogueConfigError(badMilliseconds(name, value));
  return Number(value);
}

function durationFrom(value: string | undefined, name: string, fallback: Duration): Duration {
  if (value === undefined || value === '') return fallback;
  if (/^\d+$/.test(value) && Number(value) > 0) return Number(value);
  if (/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(value)) return value as Duration;
  throw new CatalogueConfigError(badDuration(name, value));
}
