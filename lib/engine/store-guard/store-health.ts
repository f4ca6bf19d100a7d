import type { RateLimitedLogger } from '../../observability/rate-limited-logger.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { DeadlineExceeded } from './deadline-watch.js';
import { StoreFailure, causeOf } from './store-failure.js';

/** Reads and writes each have a breaker: a store that reads but cannot write is not healthy. */
export interface StoreBreakers {
  reads: CircuitBreaker;
  writes: CircuitBreaker;
}

/** Told of every failed store call and of the store answering again after its breaker opened. */
export interface StoreObserver {
  failed(failure: StoreFailure): void;
  recovered(): void;
}

/**
 * The verdicts on store calls: each answer or failure goes to its direction's breaker, failures
 * are logged rate-limited and reported with their cause, and the outage's end is logged once.
 * @example const health = new StoreHealth(breakers, 'redis', 100, log, observer, (direction) => gate.drop(direction))
 */
export class StoreHealth {
  #downSince?: number;

  constructor(
    private readonly breakers: StoreBreakers,
    private readonly kind: string,
    private readonly deadlineMs: number,
    private readonly log: RateLimitedLogger,
    private readonly observer: StoreObserver,
    private readonly opened: (direction: 'read' | 'write') => void,
  ) {}

  // Built once: a read (the hit path) allocates no handlers of its own.
  /** A read answered: passes its result through. */
  readonly readSucceeded = <T>(result: T): T => {
    if (this.breakers.reads.success()) this.#recovered();
    return result;
  };
  /** A write answered: passes its result through. */
  readonly writeSucceeded = <T>(result: T): T => {
    if (this.breakers.writes.success()) this.#recovered();
    return result;
  };
  /** A read failed: counted, reported, resolves to undefined. */
  readonly readFailed = (error: unknown): undefined => this.failed('read', error);

  /** `operation` failed: counted against its direction's breaker and reported; resolves to undefined (fail-open). */
  failed(operation: string, error: unknown): undefined {
    const direction = operation === 'read' ? 'read' : 'write';
    const opened = (direction === 'read' ? this.breakers.reads : this.breakers.writes).failure();
    if (opened) this.opened(direction);
    const cause = causeOf(error);
    const message =
      error instanceof DeadlineExceeded ? `no answer within ${this.deadlineMs} ms` : String((error as Error)?.message);
    this.observer.failed({ operation, direction, cause, message });
    this.log.warn(
      `store-${operation}`,
      `Cache ${this.kind} ${operation} failed (${message}); serving from the origin.`,
    );
    if (opened) {
      this.#downSince ??= Date.now();
      this.log.error(
        `breaker-${direction}`,
        `Cache ${this.kind} keeps failing ${direction}s (${cause}); skipping it for a while, then probing.`,
      );
    }
    return undefined;
  }

  #recovered(): void {
    if (this.breakers.reads.isOpen || this.breakers.writes.isOpen || this.#downSince === undefined) return;
    const seconds = ((Date.now() - this.#downSince) / 1000).toFixed(1);
    this.#downSince = undefined;
    this.log.info(`Cache ${this.kind} answers again after ${seconds} s; using it again.`);
    this.observer.recovered();
  }
}
