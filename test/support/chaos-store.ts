import { EntryStore, FillTicket, StoredRead } from '../../lib/stores/entry-store.interface.js';

/** Wraps a real store and sleeps a random time before and after every operation, to shake out races. */
export class DelayingStore implements EntryStore {
  readonly kind: string;

  constructor(
    private readonly inner: EntryStore,
    private readonly maxDelayMs: number,
    private readonly random: () => number = Math.random,
  ) {
    this.kind = inner.kind;
  }

  read(key: string, tags: readonly string[]): Promise<StoredRead> {
    return this.#delayed(() => this.inner.read(key, tags));
  }
  begin(key: string, tags: readonly string[], tagLifeMs: number): Promise<FillTicket> {
    return this.#delayed(() => this.inner.begin(key, tags, tagLifeMs));
  }
  tagVersions(tags: readonly string[], tagLifeMs: number): Promise<string[]> {
    return this.#delayed(() => this.inner.tagVersions(tags, tagLifeMs));
  }
  fill(key: string, ticket: FillTicket, payload: Uint8Array, ttlMs: number): Promise<boolean> {
    return this.#delayed(() => this.inner.fill(key, ticket, payload, ttlMs));
  }
  put(key: string, payload: Uint8Array, ttlMs: number): Promise<void> {
    return this.#delayed(() => this.inner.put(key, payload, ttlMs));
  }
  invalidate(keys: readonly string[]): Promise<void> {
    return this.#delayed(() => this.inner.invalidate(keys));
  }
  invalidateTags(tags: readonly string[]): Promise<void> {
    return this.#delayed(() => this.inner.invalidateTags(tags));
  }

  acquireLease(key: string, token: string, ttlMs: number): Promise<boolean> {
    return this.#delayed(() => this.inner.acquireLease(key, token, ttlMs));
  }
  probe(): Promise<void> {
    return this.#delayed(() => this.inner.probe());
  }
  releaseLease(key: string, token: string, holdMs?: number): Promise<void> {
    return this.#delayed(() => this.inner.releaseLease(key, token, holdMs));
  }

  async #delayed<T>(operation: () => Promise<T>): Promise<T> {
    await sleep(this.random() * this.maxDelayMs);
    const result = await operation();
    await sleep(this.random() * this.maxDelayMs);
    return result;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
