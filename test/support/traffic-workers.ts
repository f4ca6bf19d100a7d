import { ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('../workers/traffic-worker.mjs', import.meta.url));

export interface TrafficConfig {
  /** The cache's Redis (the one the test breaks). */
  cacheUrl: string;
  /** The "database": another Redis holding row versions and load counters. */
  dbUrl: string;
  namespace: string;
  /** Ids 1..keys are read at random. */
  keys: number;
  /** Concurrent callers in the worker. */
  inFlight: number;
  loaderMs: number;
  leaseMs: number;
  waitMs: number;
  operationTimeoutMs: number;
  /** Older values read this soon after their eviction landed count as `joinedBefore`, not stale. */
  joinGraceMs: number;
}

/** What a worker saw since the previous report. */
export interface TrafficStats {
  calls: number;
  failed: number;
  /** Calls that ran no loader of their own. */
  hits: number;
  maxMs: number;
  stale: { id: number; version: number; floor: number }[];
  /** Older values within `joinGraceMs` of their eviction landing (a known gap, held apart). */
  joinedBefore: number;
  errors: string[];
}

/** A worker process serving steady traffic through the built package (test/workers/traffic-worker.mjs). */
export class TrafficWorker {
  readonly #child: ChildProcess;
  readonly #seen: { type: string }[] = [];
  #seq = 0;

  private constructor(config: TrafficConfig) {
    this.#child = fork(WORKER, [], {
      env: { ...process.env, WORKER_CONFIG: JSON.stringify(config) },
      stdio: 'inherit',
    });
    this.#child.on('message', (message: { type: string }) => this.#seen.push(message));
  }

  /** Boots a worker and waits until its app is up. */
  static async start(config: TrafficConfig): Promise<TrafficWorker> {
    const worker = new TrafficWorker(config);
    await worker.#next('ready', () => true);
    return worker;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  traffic(): void {
    this.#child.send({ type: 'traffic' });
  }

  /** The worker's counters since the last call (then reset). */
  async stats(): Promise<TrafficStats> {
    const seq = ++this.#seq;
    this.#child.send({ type: 'stats', seq });
    return (await this.#next('stats', (m) => (m as { seq?: number }).seq === seq)) as unknown as TrafficStats;
  }

  /** Starts one load of `id` that holds its lease for `holdMs`; resolves once the loader runs. */
  async load(id: number, holdMs: number): Promise<void> {
    this.#child.send({ type: 'load', id, holdMs });
    await this.#next('loading', () => true);
  }

  /** Fires `count` concurrent reads of `id`; resolves with their values (or errors) and how long they all took. */
  async read(id: number, count: number): Promise<{ ms: number; values: unknown[] }> {
    const seq = ++this.#seq;
    this.#child.send({ type: 'read', id, count, seq });
    const done = await this.#next('read-done', (m) => (m as { seq?: number }).seq === seq);
    return done as unknown as { ms: number; values: unknown[] };
  }

  kill(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill('SIGKILL');
    return exited;
  }

  /** Stops the traffic and closes the app; SIGKILL if it does not exit within 10 s. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.send({ type: 'close' });
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async #next(
    type: string,
    match: (message: { type: string }) => boolean,
    timeoutMs = 30_000,
  ): Promise<{ type: string }> {
    const started = performance.now();
    for (;;) {
      const index = this.#seen.findIndex((m) => m.type === type && match(m));
      if (index >= 0) return this.#seen.splice(index, 1)[0]!;
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
        throw new Error(`the traffic worker exited before sending '${type}'`);
      }
      if (performance.now() - started > timeoutMs)
        throw new Error(`the traffic worker sent no '${type}' in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Sums the reports of several workers. */
export function sumStats(reports: TrafficStats[]): TrafficStats {
  return reports.reduce(
    (sum, r) => ({
      calls: sum.calls + r.calls,
      failed: sum.failed + r.failed,
      hits: sum.hits + r.hits,
      maxMs: Math.max(sum.maxMs, r.maxMs),
      stale: [...sum.stale, ...r.stale],
      joinedBefore: sum.joinedBefore + r.joinedBefore,
      errors: [...sum.errors, ...r.errors],
    }),
    { calls: 0, failed: 0, hits: 0, maxMs: 0, stale: [], joinedBefore: 0, errors: [] },
  );
}
