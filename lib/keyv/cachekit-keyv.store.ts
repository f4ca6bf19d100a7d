import { EventEmitter } from 'node:events';
import { ChainableCommander, Cluster, Redis } from 'ioredis';
import type { KeyvStoreAdapter } from 'keyv';
import { keyvPrefix } from '../keys/key-layout.js';
import { mastersOf, scanKeys } from '../redis/scan-keys.js';
import { entryKey, escapeGlob, keyvKey, namespacePrefix } from './keyv-key-layout.js';
import { existAll, getAll, throwFirstError, unlinkAll } from './keyv-multi-key.js';
import { toPx } from './keyv-ttl.js';
import {
  CacheKitKeyvStoreOptions,
  ResolvedKeyvStoreOptions,
  resolveKeyvStoreOptions,
} from './cachekit-keyv-store.options.js';

export type { CacheKitKeyvStoreOptions } from './cachekit-keyv-store.options.js';

/**
 * A Keyv storage adapter over the cache module's ioredis client (a `Redis` or a `Cluster`), so
 * `@nestjs/cache-manager` shares the module's connection and namespace.
 *
 * Key layout: `<cache namespace>:keyv:<keyv namespace>:<key>`, the Keyv namespace with '%' and ':'
 * percent-encoded (`a:b` is `a%3Ab`), so that namespaces sharing the store stay apart: clearing
 * `a` never reaches `a:b`. Keys of a Keyv without namespace are `<cache namespace>:keyv::<key>`
 * (see keyv-key-layout.ts). Keyv sets its namespace on its store: give each Keyv its own adapter.
 * The module's own keys are all of the form `{<cache namespace>:<name>:...}`: they start with `{`
 * and these never do, so the two can never collide, and no SCAN pattern of the module
 * (`{ns:name:*`) can match a Keyv key or the reverse. There are deliberately no braces: a hash tag
 * would pin every Keyv key of the namespace to one Redis Cluster slot (one node); without one, keys
 * spread over the cluster like any others.
 *
 * TTLs are Redis expiries (`SET ... PX`). `clear()` deletes only the keys of this store's Keyv
 * namespace (every Keyv key of the cache namespace when Keyv has none) with SCAN in batches and
 * UNLINK, on every master of a cluster; never KEYS or FLUSHDB. Multi-key operations are cluster-safe:
 * a cluster gets one command per key, sent together; a standalone Redis one MGET / UNLINK / pipeline.
 *
 * Errors are emitted as `'error'` (Keyv forwards them to its own listeners) and the operation
 * answers a miss (`undefined` / `false`), so the cache fails open; `throwOnErrors` rethrows them.
 * `disconnect()` leaves the client open: the cache module owns it and closes it at shutdown.
 * Values must be strings or Buffers: keep Keyv's serializer (the default).
 */
export class CacheKitKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  /** Set by Keyv: the Keyv namespace this adapter serves (scopes `clear()` and `iterator()`). */
  namespace?: string;
  /** `dialect: 'redis'` lets Keyv use {@link iterator}. */
  readonly opts: ResolvedKeyvStoreOptions;
  readonly #client: Redis | Cluster;
  readonly #prefix: string;

  constructor(client: Redis | Cluster, options: CacheKitKeyvStoreOptions) {
    super();
    this.opts = resolveKeyvStoreOptions(client, options);
    this.#client = client;
    this.#prefix = keyvPrefix(this.opts.cacheNamespace);
  }

  /** The client the store uses: the cache module's, shared (never closed here). */
  get client(): Redis | Cluster {
    return this.#client;
  }

  /** The Redis key of a key as Keyv passes it, filed under this store's Keyv namespace. */
  redisKey(key: string): string {
    return this.#prefix + entryKey(this.namespace, key);
  }

  async get<Value>(key: string): Promise<Value | undefined> {
    try {
      return ((await this.#client.get(this.redisKey(key))) ?? undefined) as Value | undefined;
    } catch (error) {
      return this.#failed(error, undefined);
    }
  }

  async getMany<Value>(keys: string[]): Promise<(Value | undefined)[]> {
    if (keys.length === 0) return [];
    try {
      return await getAll<Value>(
        this.#client,
        keys.map((key) => this.redisKey(key)),
      );
    } catch (error) {
      return this.#failed(
        error,
        keys.map(() => undefined),
      );
    }
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    try {
      await this.#set(this.#client, key, value, ttl);
      return true;
    } catch (error) {
      return this.#failed(error, false);
    }
  }

  /**
   * One boolean per entry. Keyv's adapter type says `Promise<void>`, but `keyv.setMany()` resolves
   * to what the store returns and is typed `boolean[]`: hence `any`.
   */
  async setMany(entries: { key: string; value: unknown; ttl?: number }[]): Promise<any> {
    if (entries.length === 0) return [];
    try {
      if (this.#isCluster) {
        await Promise.all(entries.map(({ key, value, ttl }) => this.#set(this.#client, key, value, ttl)));
      } else {
        const pipeline = this.#client.pipeline();
        for (const { key, value, ttl } of entries) void this.#set(pipeline, key, value, ttl);
        throwFirstError(await pipeline.exec());
      }
      return entries.map(() => true);
    } catch (error) {
      return this.#failed(
        error,
        entries.map(() => false),
      );
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      return (await this.#client.unlink(this.redisKey(key))) > 0;
    } catch (error) {
      return this.#failed(error, false);
    }
  }

  /** True when at least one of the keys existed. */
  async deleteMany(keys: string[]): Promise<boolean> {
    if (keys.length === 0) return false;
    try {
      return (
        (await unlinkAll(
          this.#client,
          keys.map((key) => this.redisKey(key)),
        )) > 0
      );
    } catch (error) {
      return this.#failed(error, false);
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      return (await this.#client.exists(this.redisKey(key))) === 1;
    } catch (error) {
      return this.#failed(error, false);
    }
  }

  async hasMany(keys: string[]): Promise<boolean[]> {
    if (keys.length === 0) return [];
    try {
      return await existAll(
        this.#client,
        keys.map((key) => this.redisKey(key)),
      );
    } catch (error) {
      return this.#failed(
        error,
        keys.map(() => false),
      );
    }
  }

  /**
   * Deletes this store's keys: those of its Keyv namespace, or every Keyv key of the cache
   * namespace when Keyv has none. The module's own entries and other namespaces are untouched.
   */
  async clear(): Promise<void> {
    try {
      const pattern = this.#pattern(this.namespace);
      await Promise.all(
        mastersOf(this.#client).map(async (node) => {
          for await (const keys of scanKeys(node, pattern, this.opts.clearBatchSize))
            await unlinkAll(this.#client, keys);
        }),
      );
    } catch (error) {
      this.#failed(error, undefined);
    }
  }

  /**
   * Key/value pairs of a Keyv namespace (every Keyv entry without one), keys as Keyv passes them
   * (used by `keyv.iterator()`).
   */
  async *iterator<Value>(namespace?: string): AsyncGenerator<[string, Value | undefined], void> {
    for (const node of mastersOf(this.#client)) {
      for await (const redisKeys of scanKeys(node, this.#pattern(namespace), this.opts.clearBatchSize)) {
        let values: (Value | undefined)[];
        try {
          values = await getAll<Value>(this.#client, redisKeys);
        } catch (error) {
          values = this.#failed(
            error,
            redisKeys.map(() => undefined),
          );
        }
        for (const [i, redisKey] of redisKeys.entries()) {
          if (values[i] !== undefined) yield [keyvKey(redisKey.slice(this.#prefix.length)), values[i]];
        }
      }
    }
  }

  /** Does nothing to the connection: the cache module owns the client and closes it at shutdown. */
  async disconnect(): Promise<void> {}

  get #isCluster(): boolean {
    return this.#client instanceof Cluster;
  }

  // The cache namespace has no glob characters (it is validated); a Keyv namespace may have any.
  #pattern(namespace: string | undefined): string {
    return this.#prefix + escapeGlob(namespacePrefix(namespace)) + '*';
  }

  #set(target: Redis | Cluster | ChainableCommander, key: string, value: unknown, ttl: number | undefined) {
    const redisKey = this.redisKey(key);
    const stored = value as string | Buffer;
    const ttlMs = toPx(ttl);
    return ttlMs === undefined ? target.set(redisKey, stored) : target.set(redisKey, stored, 'PX', ttlMs);
  }

  #failed<T>(error: unknown, fallback: T): T {
    // Keyv listens for 'error' on its store; without any listener, emitting would throw.
    if (this.listenerCount('error') > 0) this.emit('error', error);
    if (this.opts.throwOnErrors) throw error;
    return fallback;
  }
}
