/**
 * Where entries live. Implementations may throw or hang: the engine bounds every call with a
 * deadline and treats failures as misses (fail-open).
 */
export interface CacheStore {
  /** 'memory' or 'redis'; shown in logs and health output. */
  readonly kind: string;
  get(key: string): Promise<Uint8Array | undefined>;
  set(key: string, payload: Uint8Array, ttlMs: number): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
  /** Deletes every key starting with `prefix` (which holds no glob characters); returns how many. */
  deletePrefix(prefix: string): Promise<number>;
}
