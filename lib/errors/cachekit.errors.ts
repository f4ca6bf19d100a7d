import { messages } from './messages.js';

/**
 * Base class of every error this module throws; `code` is stable across versions.
 * @example if (err instanceof CacheKitError && err.code === 'CACHEKIT_INVALID_OPTION') { ... }
 */
export class CacheKitError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A module option is invalid. @example CacheKitModule.forRoot({ defaultTtl: '5 minutes' }) throws it. */
export class CacheKitOptionsError extends CacheKitError {
  constructor(message: string) {
    super('CACHEKIT_INVALID_OPTION', message);
  }
}

/** A cache definition or decorator is used wrongly. @example @Cacheable on a getter throws it. */
export class CacheDefinitionError extends CacheKitError {
  constructor(message: string) {
    super('CACHEKIT_INVALID_DEFINITION', message);
  }
}

/** A key function threw or returned something that cannot be a key. @example key: () => undefined */
export class CacheKeyError extends CacheKitError {
  constructor(message: string) {
    super('CACHEKIT_INVALID_KEY', message);
  }
}

/** A value could not be serialized; the method still returns it, uncached. @example a result holding a function */
export class CacheSerializationError extends CacheKitError {
  constructor(message: string) {
    super('CACHEKIT_SERIALIZATION', message);
  }
}

/**
 * A load (a miss) outlived its `loadTimeout`: this caller stopped waiting, the load keeps running.
 * @example catch (err) { if (err instanceof CacheLoadTimeoutError) return fallback(err.key); throw err; }
 */
export class CacheLoadTimeoutError extends CacheKitError {
  constructor(
    /** Who asked: 'ProductService#findOne'. */
    readonly where: string,
    /** The entry's store key. */
    readonly key: string,
    readonly timeoutMs: number,
  ) {
    super('CACHEKIT_LOAD_TIMEOUT', messages.loadTimedOut(where, key, timeoutMs));
  }
}
