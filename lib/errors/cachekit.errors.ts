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
