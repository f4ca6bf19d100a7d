/**
 * Injection token of the module's options after validation, defaults applied (read them, do not
 * change them); e.g. `namespace` for `cacheKitKeyvStores` from `nestjs-cachekit/keyv`.
 */
export const CACHEKIT_OPTIONS = Symbol('nestjs-cachekit.options');
