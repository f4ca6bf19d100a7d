import { Subject } from 'rxjs';
import { jitterTtl } from '../definitions/duration.js';
import { CacheSerializationError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import { CacheEvent } from '../observability/cache-event.interface.js';
import { CacheStatsRecorder } from '../observability/cache-stats.js';
import { CacheSerializer } from '../serialization/serializer.interface.js';
import { findUnserializable } from '../serialization/v8.serializer.js';
import { unwrap, wrap } from './envelope.js';
import { GuardedStore } from './guarded-store.js';
import { RateLimitedLogger } from './rate-limited-logger.js';
import { SingleFlight } from './single-flight.js';

/** Everything the engine needs to read or write one entry. */
export interface EntryPlan {
  /** Full store key. */
  key: string;
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
    const payload = await this.store.get(plan.key);
    const decoded = payload === undefined ? undefined : this.#decode(payload, plan);
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

  /** Stores `value` (subject to `unless`, negative caching and size limits); true when stored. */
  async write(plan: EntryPlan, value: unknown, loadMs = 0): Promise<boolean> {
    return (await this.#store(plan, value, loadMs)) !== undefined;
  }

  async evict(name: string, keys: readonly string[]): Promise<boolean> {
    const ok = await this.store.delete(keys);
    this.stats.for(name).evictions += keys.length;
    for (const key of keys) this.#emit({ type: 'evict', name, key });
    return ok;
  }

  async #loadAndStore(plan: EntryPlan, load: () => Promise<unknown>): Promise<Flight> {
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
    return { value, body: await this.#store(plan, value, loadMs) };
  }

  /** Returns the stored body, or undefined when nothing was stored. */
  async #store(plan: EntryPlan, value: unknown, loadMs: number): Promise<Uint8Array | undefined> {
    const isNull = value === null || value === undefined;
    if (isNull && plan.cacheNullMs === undefined) return undefined;
    if (plan.shouldStore && !plan.shouldStore(value)) return undefined;
    const body = this.#encode(plan, value);
    if (!body) return undefined;
    if (body.byteLength > this.maxValueBytes) {
      this.#skip(
        plan,
        `size`,
        `Not caching ${plan.where} under '${plan.key}': ${body.byteLength} bytes exceed maxValueBytes (${this.maxValueBytes}).`,
      );
      return undefined;
    }
    const ttl = jitterTtl(isNull ? plan.cacheNullMs! : plan.ttlMs, plan.jitter);
    const now = Date.now();
    const stored = await this.store.set(plan.key, wrap(body, { createdAt: now, freshUntil: 0, loadMs }), ttl);
    return stored ? body : undefined;
  }

  #encode(plan: EntryPlan, value: unknown): Uint8Array | undefined {
    try {
      return this.serializer.encode(value);
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
  }

  #decode(payload: Uint8Array, plan: EntryPlan): ReadResult | undefined {
    const envelope = unwrap(payload);
    if (!envelope) return undefined;
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
