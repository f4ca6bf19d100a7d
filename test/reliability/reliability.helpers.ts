import { INestApplicationContext } from '@nestjs/common';
import { CacheKit, CacheKitModuleOptions, defineCache } from '../../lib/index.js';
import { bootApp } from '../support/app.js';

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
    breaker: { failures: BREAKER_FAILURES, cooldown: `${BREAKER_COOLDOWN_MS}ms` },
    ...extra,
  };
}

/** Booted apps, closed together at the end of a test. */
export class Apps {
  readonly #apps: INestApplicationContext[] = [];

  async boot(options: CacheKitModuleOptions): Promise<CacheKit> {
    const app = await bootApp(options);
    this.#apps.push(app);
    return app.get(CacheKit);
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
export async function until(probe: () => Promise<boolean>, timeoutMs: number, intervalMs = 25): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
