import type { CacheKit } from '../cachekit.service.js';
import type { PendingEvictions } from '../typeorm/pending-evictions.js';

/** One store call's worth of a transaction's eviction. */
export interface EvictionChunk {
  keys: PendingEvictions['targets']['entries'];
  tags: string[];
}

/**
 * Splits a transaction's targets into chunks of at most `size` entries plus `size` tags. Entries
 * and tags share chunks, so a small transaction's entries and tags are evicted together (one
 * store call each, sent at once), never the entries first and the tags a round trip later.
 */
export function chunksOf(pending: PendingEvictions, size: number): EvictionChunk[] {
  const chunks: EvictionChunk[] = [];
  const { entries, tags } = pending.targets;
  for (let i = 0; i < Math.max(entries.length, tags.length); i += size) {
    chunks.push({ keys: entries.slice(i, i + size), tags: tags.slice(i, i + size) });
  }
  return chunks;
}

/**
 * Evicts a chunk and resolves only once the store confirmed it: at once, or when CacheKit's retry
 * queue reports it landed ('retried'); a retry given up ('dropped') is sent again after `retryMs`.
 * This is what lets the consumer acknowledge the LSN: "confirmed" means Redis accepted it.
 * `onWait` is told each unconfirmed attempt; an aborted `signal` (shutdown) ends the wait with false.
 */
export async function evictConfirmed(
  cacheKit: CacheKit,
  chunk: EvictionChunk,
  retryMs: number,
  onWait: (attempt: number) => void,
  signal: AbortSignal,
): Promise<boolean> {
  let stop!: () => void;
  const aborted = new Promise<'stopped'>((resolve) => (stop = () => resolve('stopped')));
  signal.addEventListener('abort', stop, { once: true });
  try {
    for (let attempt = 1; !signal.aborted; attempt++) {
      let settle!: (outcome: 'retried' | 'dropped') => void;
      const outcome = new Promise<'retried' | 'dropped'>((resolve) => (settle = resolve));
      const ok = await cacheKit.evictMany(chunk, { onOutcome: settle }).catch(() => false);
      if (ok) return true;
      onWait(attempt);
      const result = await Promise.race([outcome, aborted]);
      if (result === 'retried') return true;
      if (result === 'stopped') return false;
      await Promise.race([sleep(retryMs), aborted]);
    }
    return false;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
