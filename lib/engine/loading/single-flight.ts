/** How long callers wait for a shared call, and the error each gets past it. */
export interface FlightDeadline {
  ms: number;
  error(): Error;
}

interface Flight<T> {
  promise: Promise<T>;
  /** Callers still waiting (counted under a deadline only). */
  waiting: number;
  /** Aborted once no caller waits any more: what `work` still waits for is wasted. */
  abandon?: AbortController;
}

/**
 * Runs one call per key at a time in this process; concurrent callers of the same key share it.
 * Under a deadline every caller (the first and those that joined) waits at most `ms` from its own
 * arrival; past the first caller's deadline the call stops taking joiners, so a call that never
 * settles cannot hold its key: the next caller starts a new one. The abandoned call runs on.
 * @example const { promise } = flights.run(key, () => loadFromDb())
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Flight<T>>();

  /**
   * The shared result (bounded by `deadline` for this caller); `joined` is false only for the
   * caller whose `work` runs. `work` gets a signal that fires once nobody waits for it.
   */
  run(
    key: string,
    work: (abandoned?: AbortSignal) => Promise<T>,
    deadline?: FlightDeadline,
  ): { promise: Promise<T>; joined: boolean } {
    const existing = this.#inFlight.get(key);
    const flight = existing ?? this.#start(key, work, deadline);
    return { promise: deadline ? this.#bounded(key, flight, deadline) : flight.promise, joined: !!existing };
  }

  has(key: string): boolean {
    return this.#inFlight.has(key);
  }

  get size(): number {
    return this.#inFlight.size;
  }

  #start(key: string, work: (abandoned?: AbortSignal) => Promise<T>, deadline?: FlightDeadline): Flight<T> {
    const abandon = deadline && new AbortController();
    const flight: Flight<T> = { promise: undefined as never, waiting: 0, abandon };
    let begin!: (work: Promise<T>) => void;
    // A flight past its deadline may have been replaced under its key by the time it settles.
    flight.promise = new Promise<T>((resolve) => (begin = resolve)).finally(() => {
      if (this.#inFlight.get(key) === flight) this.#inFlight.delete(key);
    });
    // Registered before `work` starts (a synchronous throw cannot leave a stale entry, and a call
    // `work` makes for the same key joins it), then started at once, not a microtask later: when a
    // burst's shared read misses, its thousand joiners' continuations are queued by then, and the
    // load's first store call (the lease) would be made only after all of them.
    this.#inFlight.set(key, flight);
    try {
      begin(work(abandon?.signal));
    } catch (error) {
      begin(Promise.reject(error));
    }
    return flight;
  }

  // Every caller's promise handles the shared one, so a flight rejecting after all its callers
  // left is never an unhandled rejection.
  #bounded(key: string, flight: Flight<T>, deadline: FlightDeadline): Promise<T> {
    flight.waiting++;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const leave = () => {
        done = true;
        flight.waiting--;
        clearTimeout(timer);
      };
      const timer = setTimeout(() => {
        if (done) return;
        leave();
        if (this.#inFlight.get(key) === flight) this.#inFlight.delete(key);
        if (flight.waiting === 0) flight.abandon?.abort();
        reject(deadline.error());
      }, deadline.ms);
      flight.promise.then(
        (value) => {
          if (done) return;
          leave();
          resolve(value);
        },
        (error: unknown) => {
          if (done) return;
          leave();
          reject(error);
        },
      );
    });
  }
}
