import 'reflect-metadata';
import { isDeepStrictEqual } from 'node:util';
import { DynamicModule, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { CacheKit, CacheKitModule, CacheKitModuleOptions, CacheSerializer, defineCache } from '../../lib/index.js';
import { parseStoredEntry } from '../../lib/stores/stored-entry.js';
import { Budget, Recorder, Summary, settle, timeConcurrent, timeSerial } from '../support/measure.js';
import { Cell, Column, Table, ratio } from '../support/table.js';
import { jsonValue } from '../support/value.js';

export interface FeatureOverheadSettings {
  /** Budget of one pass of hits (serial and concurrent alike). */
  hit: Budget;
  /** Budget of one pass of CacheKit.set calls. */
  set: Budget;
  passes: number;
  concurrency: number;
  prefix: string;
  redisUrl: string;
}

/** JSON as a CacheSerializer, as the option's documentation shows it. */
const jsonSerializer: CacheSerializer = {
  encode: (value) => Buffer.from(JSON.stringify(value)),
  decode: (payload) => JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8')),
};

const LARGE_BYTES = 100 * 1024;

/**
 * About 100 KiB of JSON: product records that differ in ids, names, prices and stock, as a
 * category page or an export would cache them (repetitive keys, varied values).
 */
export function largeValue() {
  const base = jsonValue();
  const records: ReturnType<typeof jsonValue>[] = [];
  for (let i = 0; JSON.stringify(records).length < LARGE_BYTES; i++) {
    records.push({
      ...base,
      id: 10_000 + i,
      sku: `SKU-${String(10_000 + i).padStart(6, '0')}-${['EU', 'US', 'UK'][i % 3]}`,
      name: `${base.name.split(',')[0]} model ${i}, ${1 + (i % 4)}.${i % 10} L`,
      price: { ...base.price, amount: 9_900 + ((i * 7_919) % 250_000), discounted: i % 5 === 0 },
      stock: base.stock.map((entry, w) => ({ ...entry, quantity: (i * 13 + w * 7) % 40, reserved: (i + w) % 3 })),
      rating: { average: 3 + ((i * 37) % 200) / 100, count: (i * 101) % 5_000, histogram: [i % 9, 19, 41, 260, 1055] },
      views: (i * 104_729) % 10_000_000,
    });
  }
  return records;
}

type Size = 'small' | 'large';

interface Variant {
  name: string;
  size: Size;
  options: Pick<CacheKitModuleOptions, 'serializer' | 'compression' | 'l1' | 'latencySampling'>;
  /** The entry carries one tag (a second key read with every hit). */
  tagged?: boolean;
  /** Someone subscribed to CacheKit.events$ (every hit then emits an event). */
  observed?: boolean;
}

const L1 = { maxEntries: 100_000, ttl: '10m' } as const;

const VARIANTS: Variant[] = [
  { name: 'defaults (JSON when exact, else v8; no tags)', size: 'small', options: {} },
  { name: 'events$ subscribed', size: 'small', options: {}, observed: true },
  { name: 'serializer: JSON', size: 'small', options: { serializer: jsonSerializer } },
  { name: 'one tag on the entry', size: 'small', options: {}, tagged: true },
  { name: 'L1 on (maxEntries 100000, ttl 10m)', size: 'small', options: { l1: { maxEntries: 100_000, ttl: '10m' } } },
  // Latency histograms: the defaults time one lookup in 8; these rows time all of them, or none.
  { name: 'latency: every lookup timed (latencySampling 1)', size: 'small', options: { latencySampling: 1 } },
  {
    name: 'latency: no lookup timed (latencySampling 2^31-1)',
    size: 'small',
    options: { latencySampling: 2 ** 31 - 1 },
  },
  { name: 'L1 on, every lookup timed', size: 'small', options: { l1: L1, latencySampling: 1 } },
  { name: 'L1 on, no lookup timed', size: 'small', options: { l1: L1, latencySampling: 2 ** 31 - 1 } },
  { name: 'compression off (defaults)', size: 'large', options: {} },
  { name: 'compression on (minBytes 16 KiB)', size: 'large', options: { compression: {} } },
  { name: 'serializer: JSON, compression off', size: 'large', options: { serializer: jsonSerializer } },
];

@Module({})
class OverheadAppModule {
  static register(options: CacheKitModuleOptions): DynamicModule {
    return { module: OverheadAppModule, imports: [CacheKitModule.forRoot(options)] };
  }
}

interface Prepared {
  variant: Variant;
  app: INestApplicationContext;
  read: (lane: number) => Promise<unknown>;
  write: () => Promise<unknown>;
  counts: { loads: number; calls: number };
  bytes: number;
  serial: Recorder;
  concurrent: Recorder;
  sets: Recorder;
}

interface Result {
  variant: Variant;
  bytes?: number;
  serial?: Summary;
  concurrent?: Summary;
  sets?: Summary;
  problem?: string;
}

async function prepare(
  variant: Variant,
  id: number,
  settings: FeatureOverheadSettings,
  redis: Redis,
  values: Record<Size, unknown>,
): Promise<Prepared> {
  const app = await NestFactory.createApplicationContext(
    OverheadAppModule.register({ redis: settings.redisUrl, namespace: settings.prefix, jitter: 0, ...variant.options }),
    { logger: false, abortOnError: false },
  );
  try {
    await app.init();
    const kit = app.get(CacheKit);
    const name = `bench.fo.${id}`;
    const definition = defineCache({
      name,
      key: (lane: number | string) => lane,
      ttl: '10m',
      tags: variant.tagged ? (lane: number | string) => [`fo-${id}-${lane === 'set' ? 'set' : 'hit'}`] : undefined,
    });
    if (variant.observed) kit.events$.subscribe(() => undefined);
    const value = values[variant.size];
    const counts = { loads: 0, calls: 0 };
    const load = async () => {
      counts.loads++;
      return value;
    };
    for (let lane = 0; lane < settings.concurrency; lane++) await kit.getOrSet(definition, [lane], load);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const first = await kit.getOrSet(definition, [0], load);
    if (!isDeepStrictEqual(first, value)) throw new Error('a hit did not return the stored value');
    const stored = await redis.getBuffer(`{${settings.prefix}:${name}:${definition.keyOf([0])}}`);
    const bytes = parseStoredEntry(stored).payload?.length ?? 0;
    counts.loads = 0;
    const maxOps = settings.hit.maxOps;
    return {
      variant,
      app,
      read: (lane) => {
        counts.calls++;
        return kit.getOrSet(definition, [lane], load);
      },
      write: () => kit.set(definition, ['set'], value),
      counts,
      bytes,
      serial: new Recorder(maxOps),
      concurrent: new Recorder(maxOps),
      sets: new Recorder(maxOps),
    };
  } catch (error) {
    await app.close();
    throw error;
  }
}

const COLUMNS: Column[] = [
  { title: 'variant', format: 'text' },
  { title: 'bytes in Redis', format: 'bytes' },
  { title: '1 in flight: median µs', format: 'us' },
  { title: 'p99 µs', format: 'us' },
  { title: 'median x ref', format: 'ratio' },
  { title: 'added µs vs ref', format: 'delta-us' },
  { title: '64 in flight: ops/s', format: 'ops' },
  { title: 'ops/s x ref', format: 'ratio' },
  { title: 'CacheKit.set median µs', format: 'us' },
  { title: 'set x ref', format: 'ratio' },
];

function toTable(size: Size, results: Result[], settings: FeatureOverheadSettings, largeJsonBytes: number): Table {
  const reference = results[0];
  const notes = [
    `ref row: ${reference.variant.name}. Every row is its own Nest application context on the same Redis, read through CacheKit.getOrSet (hits only). ` +
      '"median x ref" > 1 and "ops/s x ref" < 1 are slower.',
    'bytes in Redis: the stored payload of one entry (header, tag versions and body, compressed or not).',
    `${settings.concurrency} in flight: each caller on its own warm key. CacheKit.set: one value stored again and again, one call in flight (version fence, tag versions, write).`,
    settings.passes === 1
      ? 'One timed pass per row, after a warm-up.'
      : `Samples pooled over ${settings.passes} interleaved passes (row order reversed every other pass).`,
  ];
  if (size === 'small') {
    notes.push(
      'Stats cannot be turned off: the per-name counters are always kept (a property increment per call). ' +
        'What can be switched is the event stream: CacheKit.events$ emits only while someone subscribes ("events$ subscribed").',
      "serializer: JSON is a CacheSerializer over JSON.stringify/JSON.parse, as in the option's documentation; it loses Dates, Maps, Sets and BigInts (see the serializer tables).",
      'one tag: the tag version is read with the entry (one MGET) and compared on every hit.',
      'L1 on: hits come from process memory (one deeply frozen object), not from Redis.',
    );
  } else {
    notes.push(
      `The value: ${(largeJsonBytes / 1024).toFixed(0)} KiB of JSON (an array of product records with varied ids, names, prices and stock).`,
      'compression on: `compression: {}`, deflate (zlib level default) of serialized values of at least 16 KiB; every hit from Redis inflates.',
    );
  }
  const rows: Cell[][] = results.map(({ variant, bytes, serial, concurrent, sets, problem }) => {
    if (problem) notes.push(`${variant.name}: ${problem}.`);
    if (!serial || !concurrent || !sets)
      return [variant.name, bytes ?? null, null, null, null, null, null, null, null, null];
    return [
      variant.name,
      bytes ?? null,
      serial.medianUs,
      serial.p99Us,
      ratio(serial.medianUs, reference.serial?.medianUs),
      reference.serial ? serial.medianUs - reference.serial.medianUs : null,
      concurrent.opsPerSec,
      ratio(concurrent.opsPerSec, reference.concurrent?.opsPerSec),
      sets.medianUs,
      ratio(sets.medianUs, reference.sets?.medianUs),
    ];
  });
  const title =
    size === 'small'
      ? 'Overhead of features: CacheKit.getOrSet hit on Redis, ~1 KB record'
      : `Overhead of features: CacheKit.getOrSet hit on Redis, ~${(largeJsonBytes / 1024).toFixed(0)} KiB value`;
  return { id: `feature-overhead-${size}`, title, columns: COLUMNS, rows, notes };
}

/** Scenario 5: the same hit with one option or feature changed at a time. */
export async function runFeatureOverhead(
  settings: FeatureOverheadSettings,
  progress: (line: string) => void,
): Promise<Table[]> {
  const redis = new Redis(settings.redisUrl);
  const large = largeValue();
  const values: Record<Size, unknown> = { small: jsonValue(), large };
  const results = new Map<Variant, Result>();
  const ready: Prepared[] = [];
  try {
    for (const [id, variant] of VARIANTS.entries()) {
      results.set(variant, { variant });
      try {
        ready.push(await prepare(variant, id, settings, redis, values));
      } catch (error) {
        results.set(variant, { variant, problem: `failed: ${(error as Error).message}` });
      }
    }
    for (let pass = 0; pass < settings.passes; pass++) {
      for (const prepared of pass % 2 === 0 ? ready : [...ready].reverse()) {
        progress(`overhead of features, pass ${pass + 1}/${settings.passes}: ${prepared.variant.name}`);
        try {
          await timeSerial(() => prepared.read(0), settings.hit, prepared.serial);
          await timeConcurrent(prepared.read, settings.concurrency, settings.hit, prepared.concurrent);
          await timeSerial(prepared.write, settings.set, prepared.sets);
          settle();
        } catch (error) {
          results.set(prepared.variant, { variant: prepared.variant, problem: `failed: ${(error as Error).message}` });
        }
      }
    }
    for (const prepared of ready) {
      if (results.get(prepared.variant)?.problem) continue;
      const { loads, calls } = prepared.counts;
      results.set(prepared.variant, {
        variant: prepared.variant,
        bytes: prepared.bytes,
        serial: prepared.serial.summarize(),
        concurrent: prepared.concurrent.summarize(),
        sets: prepared.sets.summarize(),
        problem:
          loads > 0
            ? `the loader ran ${loads} times in ${calls} calls on warm keys (warm-ups included), so not every timed call was a hit`
            : undefined,
      });
    }
  } finally {
    for (const prepared of ready) await prepared.app.close().catch(() => undefined);
    await redis.quit();
  }
  const largeJsonBytes = JSON.stringify(large).length;
  return (['small', 'large'] as const).map((size) =>
    toTable(
      size,
      VARIANTS.filter((variant) => variant.size === size).map((variant) => results.get(variant)!),
      settings,
      largeJsonBytes,
    ),
  );
}
