import { Cluster, Redis } from 'ioredis';
import { CacheKitOptionsError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import { isValidNamespace } from '../keys/key-layout.js';

const DEFAULT_CLEAR_BATCH = 500;

/** Options of a {@link CacheKitKeyvStore}. */
export interface CacheKitKeyvStoreOptions {
  /** The cache module's namespace (its `namespace` option): first part of every key. */
  cacheNamespace: string;
  /** Keys asked for per SCAN step (the COUNT hint) when clearing. Default: 500. */
  clearBatchSize?: number;
  /** Throw errors to the caller after emitting them. Default: false (emit, then answer a miss / false). */
  throwOnErrors?: boolean;
}

/** The options a CacheKitKeyvStore runs with, defaults applied (its `opts`). */
export interface ResolvedKeyvStoreOptions {
  dialect: 'redis';
  cacheNamespace: string;
  clearBatchSize: number;
  throwOnErrors: boolean;
}

/** Checks the client and options of a CacheKitKeyvStore, so a mistake fails where the store is built. */
export function resolveKeyvStoreOptions(
  client: Redis | Cluster,
  options: CacheKitKeyvStoreOptions,
): ResolvedKeyvStoreOptions {
  if (!(client instanceof Redis) && !(client instanceof Cluster)) {
    throw new CacheKitOptionsError(messages.keyvNeedsIoredis());
  }
  const { cacheNamespace, clearBatchSize = DEFAULT_CLEAR_BATCH, throwOnErrors = false } = options ?? {};
  if (!isValidNamespace(cacheNamespace)) {
    throw new CacheKitOptionsError(
      messages.invalidNamespace(
        `CacheKitKeyvStore option 'cacheNamespace' (the cache module's namespace)`,
        cacheNamespace,
      ),
    );
  }
  if (!Number.isInteger(clearBatchSize) || clearBatchSize < 1) {
    throw new CacheKitOptionsError(
      messages.invalidPositiveInt(`CacheKitKeyvStore option 'clearBatchSize'`, clearBatchSize),
    );
  }
  return { dialect: 'redis', cacheNamespace, clearBatchSize, throwOnErrors };
}
