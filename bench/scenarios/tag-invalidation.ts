import { Redis } from 'ioredis';
import { GetLoop, wallMs } from '../support/get-loop.js';
import { quantilesMs, settle, sleep } from '../support/measure.js';
import { deleteMatching } from '../support/redis.js';
import { Cell, Column, Table } from '../support/table.js';
import { FILL_CONCURRENCY, TagInvalidator, tagInvalidators } from './tag-invalidators.js';

export interface TagInvalidationSettings {
  /** Entries carrying the one tag. */
  entries: number;
  /** Of those, written through each library's own API (the rest are copied in pipelines). */
  apiWrites: number;
  prefix: string;
  redisUrl: string;
}

/** The GET loop's latencies are read from eviction start over at least this long. */
const MIN_WINDOW_MS = 100;
/** And compared with this long before the eviction started. */
const BASELINE_MS = 200;
/** Tagged entries read after the eviction, each expected to be a miss. */
const CHECKED_READS = 200;
/** Further calls timed back to back where a repeat does the same work. */
const REPEATS = 20;

interface EvictionResult {
  name: string;
  /** Entries per second written through the library's API, FILL_CONCURRENCY in flight. */
  apiRate?: number;
  evictMs?: number;
  /** Median of REPEATS further calls, back to back (lazy invalidations only). */
  repeatMs?: number;
  during?: { count: number; p99Ms: number; maxMs: number };
  before?: { p99Ms: number; maxMs: number };
  misses?: string;
  left?: number;
  problem?: string;
}

/** Fills, evicts once (timed, with the GET loop watching), checks the reads, then deletes what is left. */
async function measureEviction(
  invalidator: TagInvalidator,
  entries: number,
  loop: GetLoop,
  redis: Redis,
): Promise<EvictionResult> {
  const result: EvictionResult = { name: invalidator.name };
  const isFloor = invalidator.name.startsWith('floor');
  try {
    loop.pause();
    const started = wallMs();
    await invalidator.fill(entries, () => {
      if (invalidator.apiWrites > 0)
        result.apiRate = Math.min(invalidator.apiWrites, entries) / ((wallMs() - started) / 1000);
    });
    const sample = isFloor
      ? []
      : Array.from({ length: CHECKED_READS }, (_, k) => Math.floor((k * entries) / CHECKED_READS));
    // Entries written through the API and copied ones alike.
    for (const i of [...sample.slice(0, 10), ...sample.slice(-10)]) {
      if (!(await invalidator.isHit(i))) throw new Error(`entry ${i} was not a hit after the fill`);
    }
    loop.resume();
    settle();
    await sleep(BASELINE_MS);
    const t0 = wallMs();
    await invalidator.evict();
    const t1 = wallMs();
    const until = Math.max(t1, t0 + MIN_WINDOW_MS);
    // The GETs still in flight at `until` are recorded once they return.
    await sleep(Math.max(0, until - wallMs()) + 20);
    const window = await loop.window(t0, until);
    const during = quantilesMs(window);
    const before = quantilesMs(await loop.window(t0 - BASELINE_MS, t0 - 1));
    result.evictMs = t1 - t0;
    result.during = { count: window.length, p99Ms: during.p99Ms, maxMs: during.maxMs };
    result.before = { p99Ms: before.p99Ms, maxMs: before.maxMs };
    if (!isFloor) {
      let misses = 0;
      for (const i of sample) if (!(await invalidator.isHit(i))) misses++;
      result.misses = `${misses}/${sample.length}`;
    }
    if (invalidator.repeatable) {
      const times: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const r0 = wallMs();
        await invalidator.evict();
        times.push(wallMs() - r0);
      }
      result.repeatMs = quantilesMs(times).medianMs;
    }
  } catch (error) {
    result.problem = `failed: ${(error as Error).message}`;
  } finally {
    loop.resume();
    const left = await deleteMatching(redis, invalidator.pattern);
    if (!isFloor) result.left = left;
  }
  return result;
}

const COLUMNS: Column[] = [
  { title: 'invalidation', format: 'text' },
  { title: 'evict ms', format: 'ms' },
  { title: 'repeat median ms', format: 'ms' },
  { title: 'GETs in window', format: 'int' },
  { title: 'GET p99 ms (window)', format: 'ms' },
  { title: 'GET max ms (window)', format: 'ms' },
  { title: 'GET p99 ms (before)', format: 'ms' },
  { title: 'GET max ms (before)', format: 'ms' },
  { title: 'reads after: misses', format: 'text' },
  { title: 'keys left in Redis', format: 'int' },
  { title: 'API writes/s (fill)', format: 'ops' },
];

// "-" where a column does not apply to the row; n/a (null) where the row failed before measuring it.
function tableRow(result: EvictionResult): Cell[] {
  const { name } = result;
  return [
    name,
    result.evictMs ?? null,
    result.repeatMs ?? (name.startsWith('naive') ? '-' : null),
    result.during?.count ?? null,
    result.during?.p99Ms ?? null,
    result.during?.maxMs ?? null,
    result.before?.p99Ms ?? null,
    result.before?.maxMs ?? null,
    result.misses ?? (name.startsWith('floor') ? '-' : null),
    result.left ?? (name.startsWith('floor') ? '-' : null),
    result.apiRate ?? (name.startsWith('cachekit') || name.startsWith('bento') ? null : '-'),
  ];
}

function tableNotes(settings: TagInvalidationSettings): string[] {
  const n = settings.entries.toLocaleString('en-US');
  return [
    `${n} entries (the ~1 KB record) carrying one tag, TTL 10 min; then the tag is invalidated once. "evict ms": that one call, from start to resolved (a single sample).`,
    'floor row: no entries, one SET on a plain connection after the same idle wait: what one round trip costs here when the process has just woken up.',
    `repeat median ms: ${REPEATS} more calls back to back, for the lazy rows and the floor (each repeat is the same one write); "-": a repeat would find nothing left to delete.`,
    `GET loop: plain ioredis GETs of an unrelated key, one at a time, on their own connection in a worker thread (paused while filling). "window": GETs overlapping the eviction, from its start to its end or ${MIN_WINDOW_MS} ms after its start, whichever is later; "before": the ${BASELINE_MS} ms before it started.`,
    `reads after: ${CHECKED_READS} entries spread over the range, read through the same API after the eviction; each should be a miss.`,
    'keys left in Redis: keys of the row still present after the eviction (deleted untimed before the next row). cachekit and bentocache invalidate lazily: ' +
      'one write marks the tag, readers compare versions/timestamps, and the dead entries stay in Redis until their TTL.',
    `fill: cachekit (CacheKit.set) and bentocache (set with tags) write the first ${settings.apiWrites.toLocaleString('en-US')} entries through their API, ${FILL_CONCURRENCY} in flight ` +
      '("API writes/s"); the rest are byte copies of entry 0 as stored (same value, same tag), written in pipelines like the hand-written rows. ' +
      'cachekit runs with operationTimeout 2s here, so that the bulk writes are never cut short.',
  ];
}

const UNTAGGED_PEERS = ['cache-manager wrap (Keyv + @keyv/redis)', 'cacheable getOrSet (Keyv redis only)'];

/** Evicting one tag held by many entries, each way in turn, while a GET loop watches Redis. */
export async function runTagInvalidation(
  settings: TagInvalidationSettings,
  progress: (line: string) => void,
): Promise<Table> {
  const { entries, prefix, redisUrl, apiWrites } = settings;
  const redis = new Redis(redisUrl);
  const loop = await GetLoop.start(redisUrl, `${prefix}:inv:probe`);
  const results: EvictionResult[] = [];
  try {
    for (const [label, open] of tagInvalidators(redisUrl, prefix, redis, apiWrites)) {
      progress(`invalidation: ${label}, ${entries.toLocaleString('en-US')} entries`);
      let invalidator: TagInvalidator | undefined;
      try {
        invalidator = await open();
        results.push(await measureEviction(invalidator, entries, loop, redis));
      } catch (error) {
        results.push({ name: label, problem: `failed: ${(error as Error).message}` });
      } finally {
        await invalidator?.close().catch(() => undefined);
      }
    }
  } finally {
    await loop.stop();
    await redis.quit();
  }
  // Peers without tag invalidation get a row of n/a rather than being left out.
  for (const name of UNTAGGED_PEERS) results.push({ name, problem: 'n/a: the library has no tag invalidation' });
  const notes = tableNotes(settings);
  for (const result of results) if (result.problem) notes.push(`${result.name}: ${result.problem}.`);
  return {
    id: 'invalidation-tag',
    title: `Invalidation: one tag held by ${entries.toLocaleString('en-US')} entries, with a concurrent GET loop`,
    columns: COLUMNS,
    rows: results.map(tableRow),
    notes,
  };
}
