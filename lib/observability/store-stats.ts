import type { StoreFailure } from '../engine/store-guard/store-failure.js';
import type { StoreStats } from './cache-event.interface.js';

/** Counts store failures by direction (plain numbers: the failure path stays cheap). */
export class StoreStatsRecorder {
  readonly reads = { failures: 0, timeouts: 0 };
  readonly writes = { failures: 0, timeouts: 0 };
  droppedEvictions = 0;
  #last?: StoreStats['lastFailure'];

  failed(failure: StoreFailure): void {
    const counters = failure.direction === 'read' ? this.reads : this.writes;
    if (failure.cause === 'TIMEOUT') counters.timeouts++;
    else counters.failures++;
    this.#last = {
      operation: failure.operation,
      cause: failure.cause,
      message: failure.message,
      at: new Date().toISOString(),
    };
  }

  snapshot(kind: string, breaker: StoreStats['breaker'], pendingEvictions: number): StoreStats {
    return {
      kind,
      reads: { ...this.reads },
      writes: { ...this.writes },
      breaker,
      pendingEvictions,
      droppedEvictions: this.droppedEvictions,
      ...(this.#last ? { lastFailure: { ...this.#last } } : {}),
    };
  }
}
