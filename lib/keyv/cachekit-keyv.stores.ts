import { Logger } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { Keyv, KeyvOptions } from 'keyv';
import { CacheKitKeyvStore } from './cachekit-keyv.store.js';
import { CacheKitKeyvMemoryStore } from './keyv-memory.store.js';

const DEFAULT_MEMORY_ENTRIES = 10_000;
const ERROR_LOG_INTERVAL_MS = 30_000;

/** What `cacheKitKeyvStores` needs from the cache module: its resolved options (`CACHEKIT_OPTIONS`) fit. */
export interface CacheKitKeyvModuleContext {
  /** The cache module's namespace. */
  namespace: string;
  /** The module's memory store size, reused as the bound of the in-memory fallback. */
  memoryMaxEntries?: number;
}

/** Options of `cacheKitKeyvStores`. */
export interface CacheKitKeyvStoresOptions {
  /** Keyv namespace, the part of the keys after `<cache namespace>:keyv:`. Default: Keyv's, `'keyv'`. */
  namespace?: string;
  /** Other Keyv options (ttl, serialize, ...). Keyv's key prefix must stay on (the default). */
  keyv?: Omit<KeyvOptions, 'store' | 'namespace' | 'useKeyPrefix'>;
  /** Without Redis: how many entries the in-process fallback keeps. Default: the module's `memory.maxEntries`. */
  memoryMaxEntries?: number;
  /** Clearing: keys asked for per SCAN step. Default: 500. */
  clearBatchSize?: number;
}

/**
 * The `stores` of `@nestjs/cache-manager`'s `CacheModule`, sharing the cache module's Redis
 * connection and namespace: one Keyv over a {@link CacheKitKeyvStore} on the module's client.
 * Without Redis (the module's in-memory store), a bounded in-process store instead, logged once.
 * Store errors are logged (a repeated message at most every 30 s) and reads answer a miss.
 * @example
 * CacheModule.registerAsync({
 *   isGlobal: true,
 *   inject: [CACHEKIT_REDIS, CACHEKIT_OPTIONS],
 *   useFactory: (redis: Redis | Cluster | null, options: CacheKitKeyvModuleContext) => ({
 *     stores: cacheKitKeyvStores(redis, options),
 *   }),
 * })
 */
export function cacheKitKeyvStores(
  redis: Redis | Cluster | null | undefined,
  module: CacheKitKeyvModuleContext,
  options: CacheKitKeyvStoresOptions = {},
): Keyv[] {
  const logger = new Logger('CacheKit');
  const namespace = options.namespace ?? 'keyv';
  if (!redis) {
    const maxEntries = options.memoryMaxEntries ?? module.memoryMaxEntries ?? DEFAULT_MEMORY_ENTRIES;
    logger.log(
      `No redis option: @nestjs/cache-manager keeps its entries in this process (at most ${maxEntries}, least recently used dropped first).`,
    );
    return [new Keyv({ ...options.keyv, store: new CacheKitKeyvMemoryStore(maxEntries), namespace })];
  }
  const store = new CacheKitKeyvStore(redis, {
    cacheNamespace: module.namespace,
    clearBatchSize: options.clearBatchSize,
  });
  const keyv = new Keyv({ ...options.keyv, store, namespace });
  let last = { message: '', at: 0 };
  keyv.on('error', (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const now = Date.now();
    if (message === last.message && now - last.at < ERROR_LOG_INTERVAL_MS) return;
    last = { message, at: now };
    logger.warn(`@nestjs/cache-manager store (Keyv over Redis): ${message}`);
  });
  return [keyv];
}
