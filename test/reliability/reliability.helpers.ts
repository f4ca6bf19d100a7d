import { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheKit, CacheKitModuleOptions, defineCache } from '../../lib/index.js';
import { bootApp } from '../support/app.js';
import { waitForRedis } from '../support/redis-server.js';

/** The per-operation deadline every scenario configures. */
export const DEADLINE_MS = 100;
/** Slack on top of a bound: timers and scheduling on a loaded 2-core machine shared with other runs. */
export const MARGIN_MS = 300;
export const BREAKER_FAILURES = 3;
export const BREAKER_COOLDOWN_MS = 1_000;
/** How long each origin call takes. */
export const ORIGIN_MS = 30;

/** The cache the scenarios read through. */
export const itemById = defineCache({ name: 'item', key: (id: number) => id, ttl: '1m' });

export interface Item {
  id: number;
  version: number;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The database behind the cache: a version per row that writers bump, loads counted, and an
 * optional gate that holds a load between its read of the row and its return (the stale-set window).
 */
export class Origin {
  version = 1;
  loads = 0;
  #gate?: Promise<void>;

  /** Holds every load that starts from now on after reading its row, until `release()` is called. */
  hold(): () => void {
    let release!: () => void;
    this.#gate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.#gate = undefined;
      release();
    };
  }

  load(id: number): () => Promise<Item> {
    return async () => {
      this.loads++;
      const seen = this.version;
      await sleep(ORIGIN_MS);
      await this.#gate;
      return { id, version: seen };
    };
  }
}

/** The module options of a scenario: short deadline, a breaker that opens after 3 failures for 1 s. */
export function scenarioOptions(
  redis: string,
  namespace: string,
  extra: CacheKitModuleOptions = {},
): CacheKitModuleOptions {
  return {
    redis,
    namespace,
    operationTimeout: DEADLINE_MS,
    // These scenarios count what reaches the origin with the store down: no outage fallback in between
    // (test/fail-safe/outage-fallback.spec.ts covers it under the same faults).
    outageFallback: false,
    breaker: { failures: BREAKER_FAILURES, cooldown: `${BREAKER_COOLDOWN_MS}ms` },
    ...extra,
  };
}

/** Booted apps, closed together at the end of a test. */
export class Apps {
  readonly #apps: INestApplicationContext[] = [];

  async boot(options: CacheKitModuleOptions): Promise<CacheKit> {
    return (await this.bootContext(options)).get(CacheKit);
  }

  async bootContext(options: CacheKitModuleOptions): Promise<INestApplicationContext> {
    const app = await bootApp(options);
    this.#apps.push(app);
    return app;
  }

  async close(): Promise<void> {
    await Promise.all(this.#apps.splice(0).map((app) => app.close()));
  }
}

/** Runs one call and says how long it took. */
export async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
}

/** Polls `probe` every `intervalMs` until it returns true; resolves with the time it took, or throws after `timeoutMs`. */
export async function until(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 25,
  what = 'condition',
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not met within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/**
 * A redis-server without persistence on a port of our choosing, so a test can shut it down
 * (SHUTDOWN NOSAVE: everything is lost) and start a new, empty one where clients expect it.
 */
export class EphemeralRedis {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(port: number, extraArgs: string[] = []): Promise<EphemeralRedis> {
    const dir = mkdtempSync(join(tmpdir(), 'cachekit-redis-eph-'));
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    const child = spawn('redis-server', [...args, ...extraArgs], { stdio: 'ignore' });
    await waitForRedis(port);
    return new EphemeralRedis(port, child, dir);
  }

  /** SHUTDOWN NOSAVE: the server exits at once and its data is gone. */
  async shutdownNoSave(): Promise<void> {
    const exited = this.#exited();
    const admin = new Redis(this.port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => undefined);
    await admin.call('SHUTDOWN', 'NOSAVE').catch(() => undefined); // the connection drops: no reply
    admin.disconnect();
    await exited;
    rmSync(this.dir, { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    const exited = this.#exited();
    this.child.kill('SIGKILL');
    await exited;
    rmSync(this.dir, { recursive: true, force: true });
  }

  #exited(): Promise<unknown> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', resolve));
  }
}
