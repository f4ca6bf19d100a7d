import { Cluster, Redis } from 'ioredis';
import type { Writable } from 'node:stream';

/**
 * Sends the reads issued during one tick in one socket write. ioredis writes every command to
 * the socket on its own (a syscall each, the largest single cost of a hit on loopback); with
 * many reads in flight their replies arrive together, the callers issue their next reads in the
 * same tick, and holding the socket corked until that tick ends sends them all in one `writev`.
 * A lone read of one command (nothing else in flight) is written at once: with nothing to batch
 * it with, waiting for the end of the tick would only delay it (work done after the write
 * overlaps the round trip; work done before it adds to the latency).
 * Standalone clients only: a Cluster routes each command to a node connection of its own.
 */
export class WriteCoalescer {
  #inFlight = 0;
  #corked: Writable | undefined;
  readonly #release = (): void => {
    const stream = this.#corked;
    this.#corked = undefined;
    stream?.uncork();
  };

  constructor(private readonly client: Redis | Cluster) {}

  /** Call right before sending a read (one command); pair with `settled()` when its reply (or error) arrives. */
  sending(): void {
    if (this.#inFlight++ === 0 || this.#corked !== undefined) return;
    const stream = writableStream(this.client);
    if (!stream) return;
    stream.cork();
    this.#corked = stream;
    process.nextTick(this.#release);
  }

  settled(): void {
    this.#inFlight--;
  }
}

/** The socket of a standalone client that is ready to write, to cork; undefined for a Cluster (one connection per node) or a client not ready. */
export function writableStream(client: Redis | Cluster): Writable | undefined {
  if (!(client instanceof Redis) || client.status !== 'ready') return undefined;
  const stream = client.stream;
  return stream?.writable ? stream : undefined;
}
