import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { AuditSettings } from '../definitions/audit-settings.js';
import type { CacheDefinition } from '../definitions/cache-definition.js';
import type { EntryPlan } from '../engine/entry/entry-plan.js';
import type { ReadResult } from '../engine/engine.types.js';
import type { Hit } from '../engine/loading/read-through.js';
import { messages } from '../errors/messages.js';
import type { CacheStatsRecorder } from '../observability/cache-stats.js';
import type { RateLimitedLogger } from '../observability/rate-limited-logger.js';
import type { CacheSerializer } from '../serialization/serializer.interface.js';

/** What one shadow read needs besides the hit: how to load again and the entry's tags. */
export interface ShadowRead {
  plan: EntryPlan;
  load: () => Promise<unknown>;
  tags: () => readonly string[];
}

/**
 * The staleness audit (shadow reads): for a sample of hits, runs the method again in the
 * background and compares its result with the cached one after the serializer's round trip. A
 * difference counts as a mismatch only if the cache still serves the old value `grace` later, so an
 * eviction in flight (a write whose eviction has not landed yet) is not reported. Bounded per cache
 * name: at most `maxPerSecond` start per second and `concurrency` run at once; never on the caller's
 * path (it starts after the caller has its value, on a later turn of the event loop).
 */
export class StalenessAudit {
  readonly #settings = new WeakMap<CacheDefinition, AuditSettings | null>();
  readonly #bounds = new Map<string, { second: number; started: number; running: number }>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  constructor(
    private readonly peek: (plan: EntryPlan) => Promise<ReadResult>,
    private readonly serializer: CacheSerializer,
    private readonly stats: CacheStatsRecorder,
    private readonly log: RateLimitedLogger,
    private readonly defaults?: AuditSettings,
  ) {}

  /** The settings of a definition when this call is sampled; undefined (most calls) otherwise. */
  sample(definition: CacheDefinition): AuditSettings | undefined {
    // No audit anywhere (the common case): two property reads, not a WeakMap lookup, on every read.
    if (this.defaults === undefined && !definition.audit) return undefined;
    let settings = this.#settings.get(definition);
    if (settings === undefined) {
      settings = definition.audit === false ? null : (definition.audit ?? this.defaults ?? null);
      this.#settings.set(definition, settings);
    }
    return settings !== null && Math.random() < settings.sampleRate ? settings : undefined;
  }

  /** Schedules a shadow read of this hit, unless its cache name is at its rate or concurrency bound. */
  check(hit: Hit, read: ShadowRead, settings: AuditSettings): void {
    const { name } = read.plan;
    const second = Math.floor(Date.now() / 1000);
    let bounds = this.#bounds.get(name);
    if (!bounds) this.#bounds.set(name, (bounds = { second, started: 0, running: 0 }));
    if (bounds.second !== second) {
      bounds.second = second;
      bounds.started = 0;
    }
    if (this.#closed || bounds.started >= settings.maxPerSecond || bounds.running >= settings.concurrency) {
      this.stats.record(name).audit.skipped++;
      return;
    }
    bounds.started++;
    bounds.running++;
    const servedAt = Date.now();
    setImmediate(() => {
      this.#compare(hit, read, settings, servedAt)
        .catch(() => this.stats.record(name).audit.skipped++)
        .finally(() => bounds.running--);
    });
  }

  /** Stops starting shadow reads and cancels the grace waits (shutdown). */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  async #compare(hit: Hit, read: ShadowRead, settings: AuditSettings, servedAt: number): Promise<void> {
    const findings = this.stats.record(read.plan.name).audit;
    // The served value as stored: its bytes when the hit had them, else a frozen (immutable) L1 value.
    const cached = this.#roundTrip(hit.body, hit.value);
    const fresh = this.#roundTrip(undefined, await read.load());
    findings.checks++;
    if (isDeepStrictEqual(cached, fresh)) return;
    if (!(await this.#wait(settings.graceMs))) return;
    const again = await this.peek(read.plan);
    if (!again.hit || !isDeepStrictEqual(this.#roundTrip(again.body, again.value), cached)) {
      findings.inconclusive++; // evicted or replaced meanwhile: the cache caught up by itself
      return;
    }
    const keyHash = createHash('sha256').update(read.plan.key).digest('hex').slice(0, 16);
    findings.mismatch({
      keyHash,
      ageMs: hit.createdAt === undefined ? undefined : servedAt - hit.createdAt,
      tags: read.tags(),
      at: new Date().toISOString(),
    });
    this.log.warn(`audit:${read.plan.name}`, messages.auditMismatch(read.plan.where, keyHash, settings.graceMs));
  }

  #roundTrip(body: Uint8Array | undefined, value: unknown): unknown {
    return this.serializer.decode(body ?? this.serializer.encode(value));
  }

  #wait(ms: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve(!this.#closed);
      }, ms);
      timer.unref();
      this.#timers.add(timer);
    });
  }
}
