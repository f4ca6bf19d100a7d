export { CacheKitKeyvStore } from './cachekit-keyv.store.js';
export type { CacheKitKeyvStoreOptions } from './cachekit-keyv.store.js';
export { CacheKitKeyvMemoryStore } from './keyv-memory.store.js';
export { cacheKitKeyvStores } from './cachekit-keyv.stores.js';
export type { CacheKitKeyvModuleContext, CacheKitKeyvStoresOptions } from './cachekit-keyv.stores.js';
