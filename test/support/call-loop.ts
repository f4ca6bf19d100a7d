/** What one call of a CallLoop returned, and when. */
export interface CallRecord {
  id: number;
  /** performance.now() when the call began. */
  startedAt: number;
  ms: number;
  /** The call reached the origin (its loader ran). */
  loaded: boolean;
  /** The value's version; undefined when the call failed. */
  version?: number;
  error?: unknown;
}

/** One call: the version of the value it returned, and whether its loader ran. */
export type LoopCall = (id: number) => Promise<{ version: number; loaded: boolean }>;

/**
 * Steady traffic for fault scenarios: `callers` loops, each going round its own share of `ids`
 * until stop(). No two calls for one id overlap, so a call whose loader did not run was a hit, not
 * a join of another caller's load. Every call is recorded (a failure too, never thrown), and
 * `probe` runs after each call so a test can sample state (a breaker) while the traffic runs.
 * @example const loop = CallLoop.start(ids, 3, call); ...; const records = await loop.stop();
 */
export class CallLoop {
  readonly records: CallRecord[] = [];
  #running = true;
  readonly #callers: Promise<void>[];

  private constructor(
    ids: readonly number[],
    callers: number,
    private readonly call: LoopCall,
    private readonly probe: () => void,
  ) {
    this.#callers = Array.from({ length: callers }, (_, caller) =>
      this.#run(ids.filter((_, i) => i % callers === caller)),
    );
  }

  static start(ids: readonly number[], callers: number, call: LoopCall, probe: () => void = () => undefined): CallLoop {
    return new CallLoop(ids, callers, call, probe);
  }

  /** Records of the calls that began in [from, to) (performance.now() times). */
  between(from: number, to = Infinity): CallRecord[] {
    return this.records.filter((record) => record.startedAt >= from && record.startedAt < to);
  }

  /** Records of the calls that began and ended in [from, to): wholly inside a fault, say. */
  within(from: number, to: number): CallRecord[] {
    return this.between(from, to).filter((record) => record.startedAt + record.ms < to);
  }

  async stop(): Promise<CallRecord[]> {
    this.#running = false;
    await Promise.all(this.#callers);
    return this.records;
  }

  async #run(ids: readonly number[]): Promise<void> {
    for (let i = 0; this.#running && ids.length > 0; i++) {
      const id = ids[i % ids.length]!;
      const startedAt = performance.now();
      try {
        const { version, loaded } = await this.call(id);
        this.records.push({ id, startedAt, ms: performance.now() - startedAt, loaded, version });
      } catch (error) {
        this.records.push({ id, startedAt, ms: performance.now() - startedAt, loaded: false, error });
      }
      this.probe();
    }
  }
}

/** The share of calls that did not reach the origin (0 when there were none). */
export function hitRatio(records: readonly CallRecord[]): number {
  return records.length === 0 ? 0 : records.filter((record) => !record.loaded).length / records.length;
}
