import { ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineCache } from '../../lib/index.js';
import { uniqueNamespace } from '../support/app.js';
import { RedisServer, freePort, startRedisServer } from '../support/redis-server.js';
import { Apps, EphemeralRedis, MARGIN_MS, sleep } from './reliability.helpers.js';

const WORKER = fileURLToPath(new URL('./shutdown.worker.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/lib/index.js', import.meta.url));
const ENTRIES = 20;
const EVICTIONS = 5;
const OPERATION_TIMEOUT_MS = 500;
/** The module's QUIT on a frozen server waits this long for the socket to end (lib/redis). */
const QUIT_WAIT_MS = 1_000;
/** The worker's definition (same name, key, SWR and tags: the same entries). */
const definition = defineCache({
  name: 'shutdown',
  key: (id: number) => id,
  swr: { fresh: '100ms', stale: '1h', refreshTimeout: '30s' },
  tags: (id: number) => [`row:${id}`],
});

interface Closed {
  type: 'closed';
  closeMs: number;
  outcomes: string[];
  refreshesFinished: number;
  droppedEvictions: number;
}

/** The app instance being shut down, in a process of its own (shutdown.worker.mjs). */
class ShuttingDown {
  readonly exited: Promise<{ code: number | null; signal: string | null; at: number }>;
  readonly #messages: { type: string }[] = [];

  private constructor(readonly child: ChildProcess) {
    child.on('message', (message: { type: string }) => this.#messages.push(message));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
    );
  }

  static start(config: Record<string, unknown>): ShuttingDown {
    const env = { ...process.env, WORKER_CONFIG: JSON.stringify(config) };
    return new ShuttingDown(fork(WORKER, [], { env, stdio: 'inherit' }));
  }

  async next<T>(type: string, timeoutMs = 20_000): Promise<T> {
    const started = performance.now();
    for (;;) {
      const found = this.#messages.find((m) => m.type === type);
      if (found) return found as T;
      if (this.child.exitCode !== null) throw new Error(`the worker exited (${this.child.exitCode}) before '${type}'`);
      if (performance.now() - started > timeoutMs) throw new Error(`the worker sent no '${type}' in ${timeoutMs} ms`);
      await sleep(10);
    }
  }

  send(type: string): void {
    this.child.send({ type });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

describe('shutdown with 20 background refreshes and 5 evictions in flight (a real process)', () => {
  const apps = new Apps();
  let worker: ShuttingDown | undefined;
  let frozen: RedisServer | undefined;
  let killed: EphemeralRedis | undefined;
  beforeAll(() => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run 'npm run build' first ('npm test' does).`);
  });
  afterEach(async () => {
    worker?.kill();
    worker = undefined;
    await apps.close();
    await frozen?.stop();
    await killed?.stop();
    frozen = killed = undefined;
  });

  async function run(
    redisUrl: string,
    namespace: string,
    refreshMs: number,
    shutdownTimeoutMs: number,
    fault: () => Promise<void>,
    extra: Record<string, unknown> = {},
  ) {
    worker = ShuttingDown.start({
      ...extra,
      redisUrl,
      namespace,
      entries: ENTRIES,
      evictions: EVICTIONS,
      refreshMs,
      shutdownTimeoutMs,
      operationTimeoutMs: OPERATION_TIMEOUT_MS,
    });
    expect(await worker.next<{ running: number }>('refreshing')).toMatchObject({ running: ENTRIES });
    const refreshingAt = performance.now();
    await fault();
    worker.send('evict');
    const evicted = await worker.next<{ evicted: boolean[]; pending: number }>('evicted');
    worker.send('close');
    const closed = await worker.next<Closed>('closed');
    const closedAt = performance.now();
    const exit = await Promise.race([worker.exited, sleep(refreshMs + 10_000).then(() => undefined)]);
    return { evicted, closed, exit, closedAt, refreshingAt };
  }

  it.each([
    ['frozen (SIGSTOP)', 'freeze'],
    ['down (SIGKILL)', 'kill'],
  ])(
    'Redis %s: close is bounded, the evictions are reported dropped, nothing lands after the client quit, the process exits by itself',
    async (_, how) => {
      const namespace = uniqueNamespace();
      const SHUTDOWN_TIMEOUT_MS = 500;
      const REFRESH_MS = 6_000; // longer than the whole shutdown: the drain gives up on them
      let url: string;
      if (how === 'freeze') {
        frozen = await startRedisServer();
        url = frozen.url;
      } else {
        killed = await EphemeralRedis.start(await freePort());
        url = killed.url;
      }
      const fault = async () => (how === 'freeze' ? frozen!.freeze() : await killed!.stop());
      const { evicted, closed, exit, closedAt } = await run(url, namespace, REFRESH_MS, SHUTDOWN_TIMEOUT_MS, fault);
      expect(evicted).toMatchObject({ evicted: Array(EVICTIONS).fill(false), pending: EVICTIONS });

      // Refreshes drained up to shutdownTimeout, one last eviction attempt, QUIT bounded: no more.
      const bound = SHUTDOWN_TIMEOUT_MS + 2 * OPERATION_TIMEOUT_MS + QUIT_WAIT_MS + 2 * MARGIN_MS;
      console.log(
        `[faults] shutdown, Redis ${how === 'freeze' ? 'frozen' : 'down'}: app.close() ${closed.closeMs.toFixed(0)} ms ` +
          `(bound ${bound}), process exit ${exit ? (exit.at - closedAt).toFixed(0) : 'never'} ms after it, ` +
          `evictions ${closed.outcomes.join(', ')}`,
      );
      expect(closed.closeMs).toBeGreaterThanOrEqual(SHUTDOWN_TIMEOUT_MS - 50);
      expect(closed.closeMs).toBeLessThan(bound);
      expect(closed.refreshesFinished).toBe(0);
      // Every eviction the store never confirmed is reported, not silently lost.
      expect(closed.outcomes).toEqual(Array(EVICTIONS).fill('dropped'));
      expect(closed.droppedEvictions).toBe(EVICTIONS);
      // The process ends by itself once its own loaders are done (no process.exit anywhere).
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit!.at - closedAt).toBeLessThan(REFRESH_MS + 2_000);

      if (how === 'freeze') {
        // Whatever the worker sent before its client quit runs now; no refresh result is among it.
        frozen!.thaw();
        await sleep(300);
        const reader = await apps.boot({ redis: url, namespace });
        for (let id = 1; id <= ENTRIES; id++) {
          // The evicted ones may be gone (their DELs were in the socket too); none holds generation 2.
          expect([undefined, { id, generation: 1 }]).toContainEqual(await reader.get(definition, id));
        }
      }
    },
    40_000,
  );

  it('Redis frozen: refreshes the drain gave up on, ending during the last eviction attempt, write nothing', async () => {
    const namespace = uniqueNamespace();
    frozen = await startRedisServer();
    const SHUTDOWN_TIMEOUT_MS = 500;
    // The evictions take one deadline, the drain gives up 500 ms later, the last eviction attempt
    // takes up to two deadlines: these refreshes end in the middle of it. A breaker that never
    // opens, so that nothing but the shutdown itself keeps them from writing.
    const REFRESH_MS = OPERATION_TIMEOUT_MS + SHUTDOWN_TIMEOUT_MS + OPERATION_TIMEOUT_MS;
    const freeze = async () => frozen!.freeze();
    const { closed, exit } = await run(frozen.url, namespace, REFRESH_MS, SHUTDOWN_TIMEOUT_MS, freeze, {
      breakerFailures: 1_000,
    });
    expect(closed.refreshesFinished).toBe(ENTRIES); // they finished before the app was closed
    expect(exit).toMatchObject({ code: 0, signal: null });
    frozen.thaw(); // whatever the worker wrote into its socket runs now
    await sleep(300);
    const reader = await apps.boot({ redis: frozen.url, namespace });
    const values = await Promise.all(Array.from({ length: ENTRIES }, (_, i) => reader.get(definition, i + 1)));
    const written = values.filter((v) => (v as { generation?: number } | undefined)?.generation === 2).length;
    console.log(`[faults] shutdown, Redis frozen: ${written} of ${ENTRIES} abandoned refreshes wrote after the drain`);
    expect(written).toBe(0);
  });

  it('Redis healthy: close waits for the refreshes (within shutdownTimeout), which store their values', async () => {
    const namespace = uniqueNamespace();
    frozen = await startRedisServer();
    const REFRESH_MS = 300;
    const SHUTDOWN_TIMEOUT_MS = 5_000;
    const { evicted, closed, exit, refreshingAt } = await run(
      frozen.url,
      namespace,
      REFRESH_MS,
      SHUTDOWN_TIMEOUT_MS,
      async () => undefined,
    );
    expect(evicted).toMatchObject({ evicted: Array(EVICTIONS).fill(true), pending: 0 });
    expect(closed.refreshesFinished).toBe(ENTRIES);
    expect(closed.outcomes).toEqual([]);
    expect(closed.closeMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(exit).toMatchObject({ code: 0, signal: null });
    console.log(
      `[faults] shutdown, Redis healthy: ${ENTRIES} refreshes of ${REFRESH_MS} ms drained, app.close() ${closed.closeMs.toFixed(0)} ms, ` +
        `exit ${(exit!.at - refreshingAt).toFixed(0)} ms after the refreshes started`,
    );
    const reader = await apps.boot({ redis: frozen.url, namespace });
    for (let id = 1; id <= ENTRIES; id++) {
      // The evicted ones were refreshed after their eviction: stored, or refused by the fence.
      const value = await reader.get(definition, id);
      if (id <= EVICTIONS) expect([undefined, { id, generation: 2 }]).toContainEqual(value);
      else expect(value).toEqual({ id, generation: 2 });
    }
  });
});
