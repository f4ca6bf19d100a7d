import { isDeepStrictEqual } from 'node:util';
import { Budget, Summary, timeSync } from '../support/measure.js';
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

function measureCodec(codec: Codec, value: Record<string, unknown>, budget: Budget): CodecResult {
  if (codec.unavailable) return { codec, roundTrip: 'n/a', problem: codec.unavailable };
  let payload: Uint8Array | string;
  try {
    payload = codec.encode(value);
  } catch (error) {
    return { codec, roundTrip: 'n/a', problem: `cannot encode this value (${(error as Error).message})` };
  }
  const bytes = typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength;
  return {
    codec,
    bytes,
    roundTrip: roundTrip(value, codec.decode(payload)),
    encode: timeSync(() => codec.encode(value), budget),
    decode: timeSync(() => codec.decode(payload), budget),
    both: timeSync(() => codec.decode(codec.encode(value)), budget),
  };
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
export function runSerializers(budget: Budget, progress: (line: string) => void): Table[] {
  const plain = jsonValue() as Record<string, unknown>;
  const rich = richValue() as Record<string, unknown>;
  const measureAll = (value: Record<string, unknown>, label: string) =>
    CODECS.map((codec) => {
      progress(`serializers (${label}): ${codec.name}`);
      return measureCodec(codec, value, budget);
    });
  return [
    toTable(
      'serializers-json',
      'Serializers: ~1 KB record, JSON-safe (strings, numbers, arrays)',
      measureAll(plain, 'json'),
      [],
    ),
    toTable(
      'serializers-rich',
      'Serializers: the same record with 2 Dates, a Map, a Set and a BigInt',
      measureAll(rich, 'rich'),
      ['round trip: "exact" when the decoded value is deeply equal, types included; otherwise what changed.'],
    ),
  ];
}
