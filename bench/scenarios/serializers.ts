import { isDeepStrictEqual } from 'node:util';
import { Budget, Recorder, Summary, timeSync } from '../support/measure.js';
import { Cell, Column, Table, ratio } from '../support/table.js';
import { jsonValue, richValue } from '../support/value.js';
import { CODECS, Codec } from './codecs.js';

interface CodecResult {
  codec: Codec;
  bytes?: number;
  encode?: Summary;
  decode?: Summary;
  both?: Summary;
  roundTrip: string;
  problem?: string;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return 'Date';
  if (value instanceof Map) return 'Map';
  if (value instanceof Set) return 'Set';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** "exact", or which top-level fields came back changed and as what. */
function roundTrip(original: Record<string, unknown>, decoded: unknown): string {
  if (isDeepStrictEqual(decoded, original)) return 'exact';
  if (typeof decoded !== 'object' || decoded === null) return `came back as ${describe(decoded)}`;
  const changed = Object.keys(original)
    .filter((field) => !isDeepStrictEqual((decoded as Record<string, unknown>)[field], original[field]))
    .map((field) => {
      const before = describe(original[field]);
      const after = describe((decoded as Record<string, unknown>)[field]);
      return before === after ? `${field} changed` : `${before} -> ${after}`;
    });
  return `lossy: ${[...new Set(changed)].join(', ')}`;
}

interface Timed {
  codec: Codec;
  value: Record<string, unknown>;
  payload: Uint8Array | string;
  encode: Recorder;
  decode: Recorder;
  both: Recorder;
}

/** Encodes once to learn the size and check the round trip; a codec that throws gets n/a. */
function prepare(codec: Codec, value: Record<string, unknown>, budget: Budget): CodecResult | Timed {
  if (codec.unavailable) return { codec, roundTrip: 'n/a', problem: codec.unavailable };
  try {
    const payload = codec.encode(value);
    const recorder = () => new Recorder(budget.maxOps);
    return { codec, value, payload, encode: recorder(), decode: recorder(), both: recorder() };
  } catch (error) {
    return { codec, roundTrip: 'n/a', problem: `cannot encode this value (${(error as Error).message})` };
  }
}

function timePass({ codec, value, payload, ...timed }: Timed, budget: Budget, sink?: Recorder): void {
  timeSync(() => codec.encode(value), budget, sink ?? timed.encode);
  timeSync(() => codec.decode(payload), budget, sink ?? timed.decode);
  timeSync(() => codec.decode(codec.encode(value)), budget, sink ?? timed.both);
}

function finish(timed: Timed): CodecResult {
  const { codec, value, payload } = timed;
  return {
    codec,
    bytes: typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength,
    roundTrip: roundTrip(value, codec.decode(payload)),
    encode: timed.encode.summarize(),
    decode: timed.decode.summarize(),
    both: timed.both.summarize(),
  };
}

/** Every codec on one value, over interleaved passes so drifting machine load hits every row alike. */
function measureAll(
  value: Record<string, unknown>,
  label: string,
  budget: Budget,
  passes: number,
  progress: (line: string) => void,
): CodecResult[] {
  const prepared = CODECS.map((codec) => prepare(codec, value, budget));
  const timed = prepared.filter((entry): entry is Timed => 'payload' in entry);
  // One untimed round first, so no codec's first timed phase pays for its JIT warm-up.
  for (const entry of timed) timePass(entry, budget, new Recorder(1));
  for (let pass = 0; pass < passes; pass++) {
    progress(`serializers (${label}), pass ${pass + 1}/${passes}`);
    for (const entry of pass % 2 === 0 ? timed : [...timed].reverse()) timePass(entry, budget);
  }
  return prepared.map((entry) => ('payload' in entry ? finish(entry) : entry));
}

const COLUMNS: Column[] = [
  { title: 'serializer', format: 'text' },
  { title: 'bytes', format: 'bytes' },
  { title: 'encode median µs', format: 'us' },
  { title: 'decode median µs', format: 'us' },
  { title: 'encode+decode median µs', format: 'us' },
  { title: 'encode+decode p99 µs', format: 'us' },
  { title: 'median x floor', format: 'ratio' },
  { title: 'round trip', format: 'text' },
];

function toTable(id: string, title: string, results: CodecResult[], extraNotes: string[]): Table {
  const floor = results[0];
  const notes = [
    `floor row: ${floor.codec.name} (the module's default serializer). Sizes are the encoded bytes (UTF-8 for text formats).`,
    ...extraNotes,
  ];
  const rows: Cell[][] = results.map((result) => {
    if (result.problem) notes.push(`${result.codec.name}: ${result.problem}.`);
    if (result.codec.note) notes.push(`${result.codec.name}: ${result.codec.note}.`);
    return [
      result.codec.name,
      result.bytes ?? null,
      result.encode?.medianUs ?? null,
      result.decode?.medianUs ?? null,
      result.both?.medianUs ?? null,
      result.both?.p99Us ?? null,
      ratio(result.both?.medianUs, floor.both?.medianUs),
      result.roundTrip,
    ];
  });
  return { id, title, columns: COLUMNS, rows, notes: [...new Set(notes)] };
}

/** Scenario 3: the same ~1 KB record through each serializer, as JSON-safe data and with Date/Map/Set/BigInt. */
export function runSerializers(budget: Budget, passes: number, progress: (line: string) => void): Table[] {
  const pooled = passes === 1 ? 'One timed pass.' : `Samples pooled over ${passes} interleaved passes.`;
  return [
    toTable(
      'serializers-json',
      'Serializers: ~1 KB record, JSON-safe (strings, numbers, arrays)',
      measureAll(jsonValue() as Record<string, unknown>, 'json', budget, passes, progress),
      [pooled],
    ),
    toTable(
      'serializers-rich',
      'Serializers: the same record with 2 Dates, a Map, a Set and a BigInt',
      measureAll(richValue() as Record<string, unknown>, 'rich', budget, passes, progress),
      [pooled, 'round trip: "exact" when the decoded value is deeply equal, types included; otherwise what changed.'],
    ),
  ];
}
