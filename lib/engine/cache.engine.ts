import { Subject } from 'rxjs';
import { jitterTtl } from '../definitions/duration.js';
import { CacheSerializationError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import { CacheEvent } from '../observability/cache-event.interface.js';
import { CacheStatsRecorder } from '../observability/cache-stats.js';
import { CacheSerializer } from '../serialization/serializer.interface.js';
import { findUnserializable } from '../serialization/v8.serializer.js';
import { Envelope, unwrap, wrap } from './envelope.js';
import { GuardedStore } from './guarded-store.js';
import { RateLimitedLogger } from './rate-limited-logger.js';
import { SingleFlight } from './single-flight.js';

/** Everything the engine needs to read or write one entry. */
export interface EntryPlan {
  /** Full store key. */
  key: string;
  /** Store keys of the tags the entry carries. */
  tags: string[];
  /** Cache name, for stats, events and logs. */
  name: string;
  /** Who asked, for error texts: 'ProductService#findOne'. */
  where: string;
  ttlMs: number;
  jitter: number;
  /** TTL for null/undefined results; undefined: they are not stored. */
  cacheNullMs?: number;
  /** Returns false to keep a result out of the cache (`unless`). */
  shouldStore?: (value: unknown) => boolean;
}

export type ReadResult = { hit: true; value: unknown } | { hit: false };

interface Flight {
  value: unknown;
  /** The serialized body when it was stored, so joiners get their own copy. */
  body?: Uint8Array;
}

/** The read/write path: cache-aside with in-process single-flight, negative caching and size limits. */
export class CacheEngine {
  readonly events$ = new Subject<CacheEvent>();
  readonly #flights = new SingleFlight<Flight>();

  constructor(
    readonly store: GuardedStore,
    private readonly serializer: CacheSerializer,
    private readonly maxValueBytes: number,
    readonly stats: CacheStatsRecorder,
    private readonly log: RateLimitedLogger,
  ) {}

  async read(plan: EntryPlan): Promise<ReadResult> {
    const stored = await this.store.read(plan.key, plan.tags);
    const envelope = stored?.payload && unwrap(stored.payload);
    const decoded = envelope && sameVersions(envelope, stored.tagVersions) ? this.#decode(envelope, plan) : undefined;
    const stats = this.stats.for(plan.name);
    if (decoded === undefined) {
      stats.misses++;
      this.#emit({ type: 'miss', name: plan.name, key: plan.key });
      return { hit: false };
    }
    stats.hits++;
    this.#emit({ type: 'hit', name: plan.name, key: plan.key });
    return decoded;
  }

  /** Cache-aside: a hit returns the stored value; N concurrent misses in this process run `load` once. */
  async getOrLoad(plan: EntryPlan, load: () => Promise<unknown>): Promise<unknown> {
    const cached = await this.read(plan);
    if (cached.hit) return cached.value;
    const { promise, joined } = this.#flights.run(plan.key, () => this.#loadAndStore(plan, load));
    const flight = await promise;
    if (joined && flight.body) return this.serializer.decode(flight.body);
    return flight.value;
  }

  /** Stores `value` unconditionally (subject to `unless`, negative caching and size limits), fencing older loads. */
  async write(plan: EntryPlan, value: unknown, loadMs = 0): Promise<boolean> {
    const ticket = await this.store.begin(plan.key, plan.tags);
    const ttl = ticket && this.#ttlFor(plan, value);
    const body = ttl && this.#encode(plan, value);
    if (!ticket || !ttl || !body) return false;
    return this.store.put(plan.key, this.#envelope(body, loadMs, ticket.tagVersions), ttl);
  }

  async evict(name: string, keys: readonly string[]): Promise<boolean> {
    const ok = await this.store.invalidate(keys);
    this.stats.for(name).evictions += keys.length;
    for (const key of keys) this.#emit({ type: 'evict', name, key });
    return ok;
  }

  /** Invalidates every entry carrying one of these tag keys, in O(1) per tag. */
  async evictTags(tags: readonly string[]): Promise<boolean> {
    const ok = await this.store.invalidateTags(tags);
    for (const tag of tags) this.#emit({ type: 'evict', name: '~tags', key: tag });
    return ok;
  }

  /** Invalidates every entry of a cache name (SCAN in batches); how many, or undefined if the store failed. */
  async clear(name: string, prefix: string, deadlineMs: number): Promise<number | undefined> {
    const count = await this.store.invalidatePrefix(prefix, deadlineMs);
    if (count !== undefined) this.stats.for(name).evictions += count;
    this.#emit({ type: 'evict', name, key: `${prefix}*` });
    return count;
  }

  async #loadAndStore(plan: EntryPlan, load: () => Promise<unknown>): Promise<Flight> {
    // The snapshot is taken before the load starts: an invalidation after this point fences the fill.
    const ticket = await this.store.begin(plan.key, plan.tags);
    const started = performance.now();
    let value: unknown;
    try {
      value = await load();
    } catch (error) {
      this.stats.for(plan.name).loadErrors++;
      this.#emit({ type: 'load-error', name: plan.name, key: plan.key, durationMs: performance.now() - started });
      throw error; // errors are shared by the callers of this flight and never cached
    }
    const loadMs = performance.now() - started;
    this.stats.for(plan.name).loads++;
    this.#emit({ type: 'load', name: plan.name, key: plan.key, durationMs: loadMs });
    const ttl = ticket && this.#ttlFor(plan, value);
    const body = ttl && this.#encode(plan, value);
    if (!ticket || !ttl || !body) return { value };
    const stored = await this.store.fill(plan.key, ticket, this.#envelope(body, loadMs, ticket.tagVersions), ttl);
    return { value, body: stored ? body : undefined };
  }

  /** The jittered TTL to store `value` with, or 0 when it must not be stored. */
  #ttlFor(plan: EntryPlan, value: unknown): number {
    const isNull = value === null || value === undefined;
    if (isNull && plan.cacheNullMs === undefined) return 0;
    if (plan.shouldStore && !plan.shouldStore(value)) return 0;
    return jitterTtl(isNull ? plan.cacheNullMs! : plan.ttlMs, plan.jitter);
  }

  #envelope(body: Uint8Array, loadMs: number, tagVersions: string[]): Buffer {
    return wrap(body, { createdAt: Date.now(), freshUntil: 0, loadMs }, tagVersions);
  }

  /** The serialized value, or undefined (logged) when it cannot or must not be stored. */
  #encode(plan: EntryPlan, value: unknown): Uint8Array | undefined {
    let body: Uint8Array;
    try {
      body = this.serializer.encode(value);
    } catch (error) {
      const found = findUnserializable(value);
      const failure = new CacheSerializationError(
        messages.notSerializable(
          plan.where,
          plan.key,
          found?.path ?? 'result',
          found?.what ?? (error as Error).message,
        ),
      );
      this.#skip(plan, 'serialize', failure.message);
      return undefined;
    }
    if (body.byteLength > this.maxValueBytes) {
      this.#skip(plan, 'size', messages.tooLarge(plan.where, plan.key, body.byteLength, this.maxValueBytes));
      return undefined;
    }
    return body;
  }

  #decode(envelope: Envelope, plan: EntryPlan): ReadResult | undefined {
    try {
      return { hit: true, value: this.serializer.decode(envelope.body) };
    } catch {
      this.log.warn(
        `decode:${plan.name}`,
        `Ignoring an undecodable entry '${plan.key}' of ${plan.where}; it will be overwritten.`,
      );
      return undefined;
    }
  }

  #skip(plan: EntryPlan, reason: string, message: string): void {
    this.stats.for(plan.name).skippedStores++;
    this.log.warn(`${reason}:${plan.name}`, message);
    this.#emit({ type: 'store-skipped', name: plan.name, key: plan.key, reason: message });
  }

  #emit(event: CacheEvent): void {
    if (this.events$.observed) this.events$.next(event);
  }
}

/** An entry is valid only if every tag still has the version seen when its load began. */
function sameVersions(envelope: Envelope, current: (string | undefined)[]): boolean {
  const stored = envelope.tagVersions;
  if (stored.length !== current.length) return false;
  for (let i = 0; i < stored.length; i++) if (stored[i] !== current[i]) return false;
  return true;
}
