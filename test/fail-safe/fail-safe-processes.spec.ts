import { ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueNamespace } from '../support/app.js';
import { sleep } from '../support/chaos-store.js';

const WORKER = fileURLToPath(new URL('./fail-safe.worker.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/lib/index.js', import.meta.url));
const TTL_MS = 300;
const THROTTLE_MS = 500;
const KEYS = 5;

interface Hammered {
  type: 'hammered';
  answered: number;
  failed: number;
  failSafeHits: number;
}

/** One app instance in a process of its own (see fail-safe.worker.mjs). */
class Instance {
  private constructor(readonly child: ChildProcess) {}

  static async start(redisUrl: string, namespace: string): Promise<Instance> {
    const config = { redisUrl, namespace, ttlMs: TTL_MS, throttleMs: THROTTLE_MS };
    const child = fork(WORKER, [], { env: { ...process.env, WORKER_CONFIG: JSON.stringify(config) } });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`the instance exited (${code}) before it was ready`)));
    });
    return new Instance(child);
  }

  hammer(durationMs: number): Promise<Hammered> {
    return new Promise((resolve) => {
      const listener = (message: Hammered) => {
        if (message.type !== 'hammered') return;
        this.child.off('message', listener);
        resolve(message);
      };
      this.child.on('message', listener);
      this.child.send({ type: 'hammer', durationMs, keys: KEYS });
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'close' });
    await Promise.race([exited, sleep(5_000).then(() => this.child.kill('SIGKILL'))]);
  }
}

describe('fail-safe across three processes while the origin fails', () => {
  const namespace = uniqueNamespace();
  let instances: Instance[] = [];
  let db: Redis;
  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run 'npm run build' first ('npm test' does).`);
    db = new Redis(inject('redisUrl'));
    instances = await Promise.all([1, 2, 3].map(() => Instance.start(inject('redisUrl'), namespace)));
  });
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.close()));
    await db?.quit();
  });

  // Entries, tags and counters; leases and waiter flags come and go with each attempt (and expire).
  const keysOfNamespace = async () =>
    (await db.keys(`*${namespace}*`)).filter((key) => !/:(lease|waiters)$/.test(key)).length;

  it('every call answers; origin attempts stay within one per throttle per key across the instances; Redis stays flat', async () => {
    const calls = () => db.get(`${namespace}:origin-calls`).then(Number);
    // Warm: every key loaded once, then expired (kept by fail-safe).
    await Promise.all(instances.map((instance) => instance.hammer(200)));
    await sleep(TTL_MS + 100);
    await db.set(`${namespace}:origin-down`, '1');
    const before = await calls();
    const durationMs = 3_000;
    const first = await Promise.all(instances.map((instance) => instance.hammer(durationMs / 2)));
    const keysMidway = await keysOfNamespace();
    const second = await Promise.all(instances.map((instance) => instance.hammer(durationMs / 2)));
    const attempts = (await calls()) - before;
    const results = [...first, ...second];
    const answered = results.reduce((sum, r) => sum + r.answered, 0);
    const failed = results.reduce((sum, r) => sum + r.failed, 0);
    // Each key: one attempt when it expired, then one per throttle (+1 for a window cut by the phases).
    const bound = KEYS * (Math.ceil(durationMs / THROTTLE_MS) + 2);
    console.log(
      `[fail-safe] 3 processes, ${KEYS} keys, ${durationMs} ms origin down: ${answered} answered, ${failed} failed, ${attempts} origin attempts (bound ${bound})`,
    );
    expect(failed).toBe(0);
    expect(answered).toBeGreaterThan(KEYS * 3 * 10);
    expect(attempts).toBeGreaterThan(0);
    expect(attempts).toBeLessThanOrEqual(bound);
    expect(await keysOfNamespace()).toBe(keysMidway); // no key grows per attempt
    // The origin is back: fresh values within a throttle.
    await db.del(`${namespace}:origin-down`);
    await sleep(THROTTLE_MS + 100);
    const back = await calls();
    await Promise.all(instances.map((instance) => instance.hammer(300)));
    expect((await calls()) - back).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
