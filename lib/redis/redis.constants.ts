/** Injection token of the module's ioredis client (null with the embedded memory store). */
export const CACHEKIT_REDIS = Symbol('nestjs-cachekit.redis');
