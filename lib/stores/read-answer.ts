import type { StoredRead } from './entry-store.interface.js';

/**
 * What a Redis read of an entry answers. A class, not an object literal: a miss keeps its read
 * alive through the load (a batch, all of its reads), and once a burst of misses made V8 allocate a
 * literal's objects in the old generation, every later answer there would keep its payload alive
 * until a full collection (see lib/redis/queued-commands.ts).
 */
export class ReadAnswer implements StoredRead {
  constructor(
    public payload: Uint8Array | undefined,
    public tagVersions: (string | undefined)[],
    public valueTags?: readonly string[],
  ) {}
}
