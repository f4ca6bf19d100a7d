import { BackgroundRefresher } from './background-refresher.js';
import { CacheEngine } from '../cache.engine.js';
import { EntryPlan, revived } from '../entry/entry-plan.js';
import type { Hit, ReadResult } from '../engine.types.js';
import type { CacheStatsRecorder } from '../../observability/cache-stats.js';
import { RequestMemo, memoCopy } from '../../scope/request-memo.js';

export type { Hit } from '../engine.types.js';

/**
 * Cache-aside as callers see it: a hit returns at once (starting a background refresh when stale
 * or due early), a miss loads once per key. Each call's duration lands in its outcome's histogram.
 */
export class ReadThrough {
  // Checks run before every cached read (the TypeORM bridge's dirty-transaction check); usually none.
  readonly #bypasses: (() => string | undefined)[] = [];

  constructor(
    private readonly engine: CacheEngine,
    private readonly refresher: BackgroundRefresher,
    private readonly stats: CacheStatsRecorder,
    private readonly sampleEvery = 1,
    private readonly memo?: RequestMemo,
  ) {}

  /** Registers a check: while it returns a reason, reads go to the origin and store nothing. Returns its removal. */
  bypassWhen(check: () => string | undefined): () => void {
    this.#bypasses.push(check);
    return () => {
      const index = this.#bypasses.indexOf(check);
      if (index >= 0) this.#bypasses.splice(index, 1);
    };
  }

  /** `onHit` is told of a hit after its value is ready (the audit uses it; it must not block). */
  getOrLoad(plan: EntryPlan, load: () => Promise<unknown>, onHit?: (hit: Hit) => void): Promise<unknown> {
    if (this.#bypasses.length > 0) {
      const reason = this.#bypassReason();
      if (reason !== undefined) return this.engine.bypass(plan, load, reason);
    }
    const memo = this.memo?.current();
    if (!memo) return this.#getOrLoad(plan, load, onHit);
    if (memo.values.has(plan.key)) {
      const value = memoCopy(memo.values.get(plan.key));
      return Promise.resolve(revived(plan, value));
    }
    const generation = memo.generation;
    return this.#getOrLoad(plan, load, onHit).then((value) => {
      // An eviction made in this request meanwhile: what was read may be older than it.
      if (memo.generation === generation) memo.values.set(plan.key, memoCopy(value));
      return value;
    });
  }

  #getOrLoad(plan: EntryPlan, load: () => Promise<unknown>, onHit?: (hit: Hit) => void): Promise<unknown> {
    const timings = this.stats.timings(plan.name);
    // A clock read can cost as much as an L1 hit (0.5 µs on some VMs): one lookup in `sampleEvery` is timed.
    const timed = timings.calls++ % this.sampleEvery === 0;
    const started = timed ? performance.now() : 0;
    // A burst of callers on a cold key: join the running load rather than each reading the store.
    if (this.engine.isLoading(plan)) return this.#join(plan, load, timed ? started : undefined);
    // An L1 hit answers without an async frame: the hottest path.
    const local = this.engine.readLocal(plan);
    if (local) return Promise.resolve(this.#hit(plan, load, local, onHit, timed ? started : undefined));
    return this.#readOrLoad(plan, load, onHit, timed ? started : undefined);
  }

  async #join(plan: EntryPlan, load: () => Promise<unknown>, started: number | undefined): Promise<unknown> {
    try {
      return await this.engine.joinLoad(plan, load);
    } finally {
      if (started !== undefined) this.stats.timings(plan.name).miss.observe(performance.now() - started);
    }
  }

  // A store hit is one handler on the read's promise: no async frame held for the round trip.
  #readOrLoad(
    plan: EntryPlan,
    load: () => Promise<unknown>,
    onHit: ((hit: Hit) => void) | undefined,
    started: number | undefined,
  ): Promise<unknown> {
    return this.engine
      .read(plan)
      .then((cached) =>
        cached.hit ? this.#hit(plan, load, cached, onHit, started) : this.#miss(plan, load, cached, started),
      );
  }

  async #miss(
    plan: EntryPlan,
    load: () => Promise<unknown>,
    cached: Extract<ReadResult, { hit: false }>,
    started: number | undefined,
  ): Promise<unknown> {
    const timings = this.stats.timings(plan.name);
    if (started !== undefined) timings.missLookupMs += performance.now() - started;
    try {
      return await this.engine.load(plan, load, cached.unavailable, cached.stale);
    } finally {
      if (started !== undefined) timings.miss.observe(performance.now() - started);
    }
  }

  // `started`: when this lookup is one of the timed ones.
  #hit(
    plan: EntryPlan,
    load: () => Promise<unknown>,
    hit: Hit,
    onHit: ((hit: Hit) => void) | undefined,
    started: number | undefined,
  ): unknown {
    if (hit.refresh) this.refresher.trigger(plan, load);
    if (started !== undefined) {
      const timings = this.stats.timings(plan.name);
      const histogram = hit.refresh === 'stale' ? timings.staleHit : hit.l1 ? timings.l1Hit : timings.storeHit;
      histogram.observe(performance.now() - started);
    }
    if (onHit) onHit(hit);
    return hit.value;
  }

  #bypassReason(): string | undefined {
    for (const check of this.#bypasses) {
      const reason = check();
      if (reason !== undefined) return reason;
    }
    return undefined;
  }
}
