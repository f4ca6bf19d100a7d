import type { CacheStatsRecorder, NameRecord } from '../observability/cache-stats.js';

/** The since-boot numbers of one cache name that the report needs, at one moment. */
export interface Totals {
  hits: number;
  staleHits: number;
  misses: number;
  loads: number;
  loadMs: number;
  spentMs: number;
  storeHits: number;
  storeHitMs: number;
  evictedKeys: number;
  clears: number;
  tags: number;
  orm: number;
}

interface Snapshot {
  at: number;
  byName: Map<string, Totals>;
}

/** The report's numbers of a cache name now, from its record. */
export function totalsOf({ counters, timings, evictions }: NameRecord): Totals {
  return {
    hits: counters.hits,
    staleHits: counters.staleHits,
    misses: counters.misses,
    loads: timings.load.count,
    loadMs: timings.load.totalMs,
    spentMs: timings.spentMs(counters),
    storeHits: timings.storeHit.count,
    storeHitMs: timings.storeHit.totalMs,
    evictedKeys: evictions.key,
    clears: evictions.name,
    tags: evictions.tag,
    orm: evictions.orm,
  };
}

const ZERO: Totals = {
  hits: 0,
  staleHits: 0,
  misses: 0,
  loads: 0,
  loadMs: 0,
  spentMs: 0,
  storeHits: 0,
  storeHitMs: 0,
  evictedKeys: 0,
  clears: 0,
  tags: 0,
  orm: 0,
};

/**
 * A sliding window over the since-boot counters: a snapshot every `stepMs`, kept for `windowMs`,
 * and the window is now minus the oldest snapshot in it. The hit path pays nothing for it: the
 * counters it reads are the ones `stats()` shows.
 */
export class WindowSnapshots {
  readonly #snapshots: Snapshot[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly stats: CacheStatsRecorder,
    readonly windowMs: number,
    private readonly stepMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#snapshots.push({ at: now(), byName: new Map() }); // boot: every counter at zero
    this.#timer = setInterval(() => this.take(), stepMs);
    this.#timer.unref();
  }

  /** Records the counters now (the timer's job; tests call it to move the window). */
  take(): void {
    const byName = new Map<string, Totals>();
    for (const name of this.stats.names()) byName.set(name, totalsOf(this.stats.record(name)));
    this.#snapshots.push({ at: this.now(), byName });
    const keep = Math.ceil(this.windowMs / this.stepMs) + 1;
    if (this.#snapshots.length > keep) this.#snapshots.splice(0, this.#snapshots.length - keep);
  }

  /** What happened over the window, per cache name, and how much of the window the data covers. */
  window(): { coveredMs: number; byName: Map<string, Totals> } {
    const now = this.now();
    const oldest = this.#snapshots.find((snapshot) => now - snapshot.at <= this.windowMs) ?? this.#snapshots.at(-1)!;
    const byName = new Map<string, Totals>();
    for (const name of this.stats.names()) {
      const current = totalsOf(this.stats.record(name));
      const before = oldest.byName.get(name) ?? ZERO;
      const diff = {} as Totals;
      for (const field of Object.keys(current) as (keyof Totals)[]) diff[field] = current[field] - before[field];
      byName.set(name, diff);
    }
    return { coveredMs: now - oldest.at, byName };
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
