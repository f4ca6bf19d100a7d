import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { CacheDefinition, CacheKit, CacheKitModule, defineCache } from '../../lib/index.js';
import { deleteMatching } from '../support/redis.js';
import { Table } from '../support/table.js';
import { jsonValue } from '../support/value.js';

export interface FailSafeSettings {
  prefix: string;
  redisUrl: string;
  /** Keys warmed, then expired, then requested while the origin fails. */
  keys: number;
  ttlMs: number;
  /** How long callers keep asking (concurrently, every key in turn) while the origin fails. */
  stormMs: number;
  callers: number;
  /** Hits timed per pass on the hit path, and passes (alternating the two definitions). */
  hits: number;
  passes: number;
}

/** Full: about 10 s. Quick: about 3 s. */
export function failSafeSettings(quick: boolean, prefix: string, redisUrl: string): FailSafeSettings {
  return quick
    ? { prefix, redisUrl, keys: 50, ttlMs: 200, stormMs: 1_000, callers: 32, hits: 2_000, passes: 3 }
    : { prefix, redisUrl, keys: 200, ttlMs: 500, stormMs: 3_000, callers: 64, hits: 20_000, passes: 5 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Fail-safe: (1) an expiry storm while the origin fails, with and without fail-safe: what the
 * callers see (errors) and what the origin sees (attempts); (2) the hit path of a fail-safe
 * definition against a plain one, alternated in passes: fail-safe must cost nothing on a hit.
 */
export async function runFailSafe(settings: FailSafeSettings, progress: (line: string) => void): Promise<Table[]> {
  const namespace = `${settings.prefix}.fs`;
  const common = { key: (id: number) => id, ttl: settings.ttlMs, jitter: 0 };
  const plain = defineCache({ name: 'bench.plain', ...common });
  const safe = defineCache({ name: 'bench.safe', ...common, failSafe: { maxAge: '10m', throttle: '1s' } });
  @Module({ imports: [CacheKitModule.forRoot({ redis: settings.redisUrl, namespace, jitter: 0 })] })
  class FailSafeBenchModule {}
  const app = await NestFactory.createApplicationContext(FailSafeBenchModule, { logger: false, abortOnError: false });
  await app.init();
  const cache = app.get(CacheKit);
  const redis = new Redis(settings.redisUrl);
  try {
    const storm: (string | number | null)[][] = [];
    for (const [label, definition] of [
      ['without fail-safe', plain],
      ['with fail-safe (throttle 1s)', safe],
    ] as const) {
      progress(`fail-safe: expiry storm, origin failing, ${label}`);
      storm.push([label, ...(await expiryStorm(cache, definition, settings))]);
    }
    progress('fail-safe: hit path');
    const hitPath = await hits(cache, settings);
    return [
      {
        id: 'fail-safe-storm',
        title: `Expiry storm with the origin failing (${settings.keys} keys expired, ${settings.callers} callers for ${settings.stormMs} ms)`,
        columns: [
          { title: 'definition', format: 'text' },
          { title: 'calls', format: 'int' },
          { title: 'errors seen by callers', format: 'int' },
          { title: 'origin attempts', format: 'int' },
          { title: 'p50 ms', format: 'ms' },
          { title: 'p99 ms', format: 'ms' },
        ],
        rows: storm,
        notes: ['Every key was loaded once and has expired; then every load throws.'],
      },
      {
        id: 'fail-safe-hit-path',
        title: 'Hit path (Redis) with fail-safe on and off',
        columns: [
          { title: 'definition', format: 'text' },
          { title: 'median us per hit', format: 'us' },
          { title: 'vs plain', format: 'ratio' },
        ],
        rows: hitPath,
        notes: [`${settings.passes} passes of ${settings.hits} serial hits each, alternating; the median pass.`],
      },
    ];
  } finally {
    await deleteMatching(redis, `{${namespace}:*`);
    redis.disconnect();
    await app.close();
  }
}

async function expiryStorm(
  cache: CacheKit,
  definition: CacheDefinition<[number], unknown>,
  settings: FailSafeSettings,
): Promise<number[]> {
  for (let id = 0; id < settings.keys; id++) await cache.getOrSet(definition, [id], async () => jsonValue());
  await sleep(settings.ttlMs + 50);
  let attempts = 0;
  const failing = async () => {
    attempts++;
    await sleep(2);
    throw new Error('origin down');
  };
  let errors = 0;
  const latencies: number[] = [];
  const until = performance.now() + settings.stormMs;
  await Promise.all(
    Array.from({ length: settings.callers }, async (_, caller) => {
      for (let i = caller; performance.now() < until; i += settings.callers) {
        const started = performance.now();
        await cache.getOrSet(definition, [i % settings.keys], failing).catch(() => errors++);
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return [latencies.length, errors, attempts, at(0.5), at(0.99)];
}

// A long ttl for the hit path: every call is a hit.
const hitPlain = defineCache({ name: 'bench.hit.plain', key: (id: number) => id, ttl: '10m' });
const hitSafe = defineCache({
  name: 'bench.hit.safe',
  key: (id: number) => id,
  ttl: '10m',
  failSafe: { maxAge: '1d' },
});

async function hits(cache: CacheKit, settings: FailSafeSettings): Promise<(string | number)[][]> {
  const load = async () => jsonValue();
  await cache.getOrSet(hitPlain, [1], load);
  await cache.getOrSet(hitSafe, [1], load);
  const passes: { plain: number[]; safe: number[] } = { plain: [], safe: [] };
  for (let pass = 0; pass < settings.passes; pass++) {
    for (const [name, definition] of [
      ['plain', hitPlain],
      ['safe', hitSafe],
    ] as const) {
      const started = performance.now();
      for (let i = 0; i < settings.hits; i++) await cache.getOrSet(definition, [1], load);
      passes[name].push(((performance.now() - started) * 1000) / settings.hits);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const plainUs = median(passes.plain);
  const safeUs = median(passes.safe);
  return [
    ['plain (ttl 10m)', plainUs, 1],
    ['fail-safe (ttl 10m, maxAge 1d)', safeUs, safeUs / plainUs],
  ];
}
