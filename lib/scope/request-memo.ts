import { AsyncLocalStorage } from 'node:async_hooks';

/** One request's memo: the values read or loaded in it, by store key. */
interface MemoStore {
  values: Map<string, unknown>;
  /** Bumped by every eviction made in the request: a read that began before one must not be kept. */
  generation: number;
}

/**
 * Per-request memoization (module option `requestMemo`): within one request (one AsyncLocalStorage
 * run, started by `CacheKitRequestMemo` or `CacheKit.withRequestMemo`), a second call with the same
 * key gets the first one's value without a store round trip; an eviction made in the request
 * clears the whole memo. Each caller gets its own copy, as from the store. One per app.
 */
export class RequestMemo {
  readonly #storage = new AsyncLocalStorage<MemoStore>();

  /** Runs `fn` with a memo of its own (nested runs share the outer one). */
  run<T>(fn: () => T): T {
    if (this.#storage.getStore()) return fn();
    return this.#storage.run({ values: new Map(), generation: 0 }, fn);
  }

  /** The memo of the current request, or undefined outside one. */
  current(): MemoStore | undefined {
    return this.#storage.getStore();
  }

  /** An eviction in the current request (if any): forget everything it read. */
  clear(): void {
    const store = this.#storage.getStore();
    if (!store) return;
    store.generation++;
    store.values.clear();
  }
}

/** A memoized value for one more caller: its own copy, so no caller can change what the next gets. */
export function memoCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  try {
    return structuredClone(value);
  } catch {
    return value; // functions cannot be cloned: shared as the method returned them
  }
}
