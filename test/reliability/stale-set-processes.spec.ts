import { ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CacheKit, defineCache } from '../../lib/index.js';
import { uniqueNamespace } from '../support/app.js';
import { Apps, sleep } from './reliability.helpers.js';

const WORKER = fileURLToPath(new URL('./stale-set.worker.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/lib/index.js', import.meta.url));
const ROUNDS = 1_000;
const CONCURRENT = 20;
/** The same definition as the worker's (same name, key and tags: the same entries). */
const race = defineCache({ name: 'race', key: (id: number) => id, tags: (id: number) => [`row:${id}`], ttl: '1m' });

/** Deterministic PRNG (mulberry32), so a failing run replays the same interleavings. */
function random(seed: number): (max: number) => number {
  let state = seed;
  return (max) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * max);
  };
}

interface ReadDone {
  type: 'read-done';
  round: number;
  value: number;
  seen: number | null;
  loadEndedAt: number | null;
}

interface RowRead {
  type: 'row-read';
  round: number;
  seen: number;
}

/** The reader process: one app instance on the built package (see stale-set.worker.mjs). */
class Reader {
  readonly #waiting = new Map<string, (message: ReadDone | RowRead) => void>();

  private constructor(readonly child: ChildProcess) {
    child.on('message', (message: ReadDone | RowRead) => {
      const key = `${message.type}:${message.round}`;
      this.#waiting.get(key)?.(message);
      this.#waiting.delete(key);
    });
  }

  static async start(redisUrl: string, namespace: string): Promise<Reader> {
    const child = fork(WORKER, [], { env: { ...process.env, WORKER_CONFIG: JSON.stringify({ redisUrl, namespace }) } });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the reader process exited (${code}) before it was ready`)));
    });
    return new Reader(child);
  }

  /**
   * Starts a read of row `id`. A held read stops between its database read and its fill until
   * `release(round)`; `rowRead` resolves once it has read the row.
   */
  read(round: number, id: number, timing: { beforeMs: number; afterMs: number; held: boolean }) {
    const done = this.#next<ReadDone>('read-done', round);
    const rowRead = timing.held ? this.#next<RowRead>('row-read', round) : undefined;
    this.child.send({ type: 'read', round, id, ...timing });
    return { done, rowRead };
  }

  release(round: number): void {
    this.child.send({ type: 'release', round });
  }

  #next<T>(type: string, round: number): Promise<T> {
    return new Promise((resolve) => this.#waiting.set(`${type}:${round}`, resolve as (message: unknown) => void));
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'close' });
    await Promise.race([exited, sleep(5_000).then(() => this.child.kill('SIGKILL'))]);
  }
}

describe('the stale-set race across two processes', () => {
  const apps = new Apps();
  let reader: Reader;
  let writer: CacheKit;
  let db: Redis;
  const namespace = uniqueNamespace();
  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run 'npm run build' first ('npm test' does).`);
    db = new Redis(inject('redisUrl'));
    reader = await Reader.start(inject('redisUrl'), namespace);
    writer = await apps.boot({ redis: inject('redisUrl'), namespace, operationTimeout: '2s' });
  });
  afterAll(async () => {
    await reader?.close();
    await apps.close();
    await db?.quit();
  });

  it(`${ROUNDS} randomized interleavings of a reader blocked before its fill and a writer that commits and evicts: 0 stale reads`, async () => {
    const rand = random(0x57a1e);
    const started = performance.now();
    let stale = 0;
    let raced = 0;
    let held = 0;
    const round = async (n: number) => {
      const row = `${namespace}:db:${n}`;
      await db.set(row, 1);
      const byTag = rand(2) === 1;
      // Two rounds in three hold the reader once it has read the row: the writer commits and evicts
      // inside that window, so these loads all read version 1 and try to fill after the eviction.
      // The others let the two sides run free on random delays, to vary the interleaving.
      const hold = rand(3) > 0;
      if (hold) held++;
      const [beforeMs, afterMs, writerMs] = [rand(3), 4 + rand(16), rand(12)];
      const reading = reader.read(n, n, { beforeMs, afterMs, held: hold });
      let evictedAt = 0;
      const writing = (async () => {
        if (reading.rowRead) await reading.rowRead;
        await sleep(hold ? rand(3) : writerMs);
        await db.incr(row); // commit: the row is now version 2
        const evicted = byTag ? await writer.evictTags([`row:${n}`]) : await writer.evict(race, n);
        expect(evicted).toBe(true);
        evictedAt = Date.now();
        if (hold) reader.release(n);
      })();
      const [read] = await Promise.all([reading.done, writing]);
      // The eviction has completed: every later read must see version 2, or miss.
      const cached = await writer.get(race, n);
      if (cached !== undefined && cached !== 2) stale++;
      // A load that read version 1 and ended after the eviction: its fill is the one that must be refused.
      if (read.seen === 1 && read.loadEndedAt !== null && read.loadEndedAt >= evictedAt) raced++;
    };
    for (let base = 0; base < ROUNDS; base += CONCURRENT) {
      await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => round(base + i)));
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `[faults] ${ROUNDS} cross-process rounds in ${seconds.toFixed(1)} s: ${raced} raced fills, ${stale} stale reads`,
    );
    expect(stale).toBe(0);
    // The harness really raced: every held load read the old row and tried to store it after the eviction.
    expect(held).toBeGreaterThan(ROUNDS / 2);
    expect(raced).toBeGreaterThanOrEqual(held);
  }, 60_000);
});
