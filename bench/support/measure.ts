/** How long to run one measurement: a warm-up (not recorded), then a timed phase. */
export interface Budget {
  warmupMs: number;
  measureMs: number;
  /** Upper bound on recorded operations, so fast contenders do not fill memory. */
  maxOps: number;
}

export interface Summary {
  ops: number;
  medianUs: number;
  p99Us: number;
  opsPerSec: number;
}

const now = () => process.hrtime.bigint();

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const CHUNK = 65_536;

/**
 * Per-operation latencies in nanoseconds plus the wall time they took, pooled over several timed
 * phases (passes). Kept in typed-array chunks so recording allocates almost nothing.
 */
export class Recorder {
  readonly #chunks: Float64Array[] = [];
  count = 0;
  wallNs = 0;

  constructor(private readonly maxOps: number) {}

  get full(): boolean {
    return this.count >= this.maxOps;
  }

  push(ns: number): void {
    if (this.count >= this.maxOps) return;
    const index = this.count % CHUNK;
    if (index === 0) this.#chunks.push(new Float64Array(CHUNK));
    this.#chunks[this.#chunks.length - 1][index] = ns;
    this.count++;
  }

  summarize(): Summary {
    const sorted = new Float64Array(this.count);
    this.#chunks.forEach((chunk, i) =>
      sorted.set(chunk.subarray(0, Math.min(CHUNK, this.count - i * CHUNK)), i * CHUNK),
    );
    sorted.sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
    return {
      ops: this.count,
      medianUs: at(0.5) / 1e3,
      p99Us: at(0.99) / 1e3,
      opsPerSec: this.count / (this.wallNs / 1e9),
    };
  }
}

/** Collects garbage between measurements (when node runs with --expose-gc) so one row's garbage is not billed to the next. */
export function settle(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function runFor(ms: number, op: () => Promise<unknown>): Promise<void> {
  const until = now() + BigInt(ms) * 1_000_000n;
  while (now() < until) for (let i = 0; i < 32; i++) await op();
}

/** One call in flight: every call awaits the previous one. Adds one timed phase to `into`. */
export async function timeSerial(op: () => Promise<unknown>, budget: Budget, into: Recorder): Promise<void> {
  await runFor(budget.warmupMs, op);
  settle();
  const started = now();
  const deadline = started + BigInt(budget.measureMs) * 1_000_000n;
  let t1 = started;
  while (!into.full && t1 < deadline) {
    const t0 = now();
    await op();
    t1 = now();
    into.push(Number(t1 - t0));
  }
  into.wallNs += Number(t1 - started);
}

/**
 * `concurrency` calls in flight at all times: each lane starts its next call as its last one
 * settles. Adds one timed phase to `into`.
 */
export async function timeConcurrent(
  op: (lane: number) => Promise<unknown>,
  concurrency: number,
  budget: Budget,
  into: Recorder,
): Promise<void> {
  const lanes = (ms: number, samples?: Recorder) => {
    const until = now() + BigInt(ms) * 1_000_000n;
    let stop = false;
    const lane = async (_: unknown, index: number) => {
      while (!stop) {
        const t0 = now();
        await op(index);
        const t1 = now();
        samples?.push(Number(t1 - t0));
        if (t1 >= until || samples?.full) stop = true;
      }
    };
    return Promise.all(Array.from({ length: concurrency }, lane));
  };
  await lanes(budget.warmupMs);
  settle();
  const started = now();
  await lanes(budget.measureMs, into);
  into.wallNs += Number(now() - started);
}

/** A synchronous operation (a serializer), timed one call at a time. Adds one timed phase to `into`. */
export function timeSync(op: () => unknown, budget: Budget, into: Recorder): void {
  const warmUntil = now() + BigInt(budget.warmupMs) * 1_000_000n;
  while (now() < warmUntil) for (let i = 0; i < 32; i++) op();
  settle();
  const started = now();
  const deadline = started + BigInt(budget.measureMs) * 1_000_000n;
  let t1 = started;
  while (!into.full && t1 < deadline) {
    const t0 = now();
    op();
    t1 = now();
    into.push(Number(t1 - t0));
  }
  into.wallNs += Number(t1 - started);
}

/** Median, p95, p99 and max of latencies given in milliseconds; NaN (printed "n/a") when there are none. */
export function quantilesMs(values: number[]): { medianMs: number; p95Ms: number; p99Ms: number; maxMs: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  return { medianMs: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1] ?? NaN };
}
