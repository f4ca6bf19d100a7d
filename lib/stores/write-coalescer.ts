import { Cluster, Redis } from 'ioredis';
import type { Writable } from 'node:stream';

/**
 * Sends the commands issued during one tick in one socket write. ioredis writes every command to
 * the socket on its own (a syscall each, the largest single cost of a hit on loopback, and of a
 * miss, which sends four: read, lease, fill, lease release); with many commands in flight their
 * replies arrive together, the callers issue their next commands in the same tick, and holding
 * the socket corked until that tick ends sends them all in one `writev`. A command sent with
 * nothing awaiting a reply is written at once: with nothing to batch it with, waiting for the end
 * of the tick would only delay it (work done after the write overlaps the round trip; work done
 * before it adds to the latency).
 * Standalone clients only: a Cluster routes each command to a node connection of its own.
 */
export class WriteCoalescer {
  #corked: Writable | undefined;
  readonly #release = (): void => {
    const stream = this.#corked;
    this.#corked = undefined;
    stream?.uncork();
  };

  constructor(private readonly client: Redis | Cluster) {}

  /** Call right before sending commands. */
  sending(): void {
    if (this.#corked !== undefined) return;
    const stream = writableStream(this.client);
    // Commands written and awaiting their replies (any caller's): the ones to batch with.
    if (!stream || (this.client as Redis).commandQueue.length === 0) return;
    stream.cork();
    this.#corked = stream;
    process.nextTick(this.#release);
  }
}

/** The socket of a standalone client that is ready to write, to cork; undefined for a Cluster (one connection per node) or a client not ready. */
export function writableStream(client: Redis | Cluster): Writable | undefined {
  if (!(client instanceof Redis) || client.status !== 'ready') return undefined;
  const stream = client.stream;
  return stream?.writable ? stream : undefined;
}
