/** Percentiles of the durations seen in the last `windowMs`, ms. */
export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

/**
 * Load durations of one cache over a sliding window, bounded in memory: at most `capacity` kept
 * (the oldest dropped first), so a burst of loads costs a fixed amount.
 */
export class LatencyWindow {
  readonly #at: number[] = [];
  readonly #ms: number[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly capacity = 2_048,
  ) {}

  add(durationMs: number, now = Date.now()): void {
    this.#at.push(now);
    this.#ms.push(durationMs);
    if (this.#at.length > this.capacity) this.#drop(1);
  }

  /** The window's percentiles (nearest rank); undefined when it is empty. */
  percentiles(now = Date.now()): Percentiles | undefined {
    let stale = 0;
    while (stale < this.#at.length && now - this.#at[stale] > this.windowMs) stale++;
    this.#drop(stale);
    if (this.#ms.length === 0) return undefined;
    const sorted = [...this.#ms].sort((a, b) => a - b);
    const rank = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
    return { count: sorted.length, p50: rank(0.5), p95: rank(0.95), p99: rank(0.99) };
  }

  #drop(count: number): void {
    this.#at.splice(0, count);
    this.#ms.splice(0, count);
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
