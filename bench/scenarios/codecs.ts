import { deserialize, serialize } from 'node:v8';
import { Decoder, Encoder, ExtensionCodec } from '@msgpack/msgpack';
import * as devalue from 'devalue';
import { Packr } from 'msgpackr';
import superjson from 'superjson';
import { defaultSerializer } from '../../lib/serialization/default.serializer.js';

/** A serializer as a cache would use it: value to bytes or text, and back. */
export interface Codec {
  name: string;
  encode(value: unknown): Uint8Array | string;
  decode(payload: Uint8Array | string): unknown;
  note?: string;
  unavailable?: string;
}

// Map and Set as msgpack extension types, following @msgpack/msgpack's documented pattern: the
// library has no built-in encoding for them (a Map or Set is written as an empty map).
const MAP_EXT = 1;
const SET_EXT = 2;
const extensionCodec = new ExtensionCodec();
const inner = { encoder: undefined as Encoder | undefined, decoder: undefined as Decoder | undefined };
extensionCodec.register({
  type: MAP_EXT,
  encode: (value: unknown) => (value instanceof Map ? inner.encoder!.encode([...value]) : null),
  decode: (data: Uint8Array) => new Map(inner.decoder!.decode(data) as [unknown, unknown][]),
});
extensionCodec.register({
  type: SET_EXT,
  encode: (value: unknown) => (value instanceof Set ? inner.encoder!.encode([...value]) : null),
  decode: (data: Uint8Array) => new Set(inner.decoder!.decode(data) as unknown[]),
});
// Encoders are not re-entrant, so nested extension payloads get their own pair.
inner.encoder = new Encoder({ extensionCodec, useBigInt64: true });
inner.decoder = new Decoder({ extensionCodec, useBigInt64: true });

const msgpackPlain = { encoder: new Encoder({ useBigInt64: true }), decoder: new Decoder({ useBigInt64: true }) };
const msgpackTyped = {
  encoder: new Encoder({ extensionCodec, useBigInt64: true }),
  decoder: new Decoder({ extensionCodec, useBigInt64: true }),
};

// structuredClone keeps Maps and Sets (records keep plain objects apart from msgpack maps).
const msgpackr = new Packr({ structuredClone: true });

const asText = (payload: Uint8Array | string) =>
  typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
const asBytes = (payload: Uint8Array | string) => (typeof payload === 'string' ? Buffer.from(payload) : payload);

/** The serializers compared; the first is the floor (this module's default). */
export const CODECS: Codec[] = [
  {
    name: 'cachekit default (JSON when exact, else v8)',
    encode: (value) => defaultSerializer.encode(value),
    decode: (payload) => defaultSerializer.decode(asBytes(payload)),
    note: 'a walk proves the value exact as JSON (plain objects, dense arrays, finite numbers, no -0, no shared objects); else v8',
  },
  {
    name: 'node:v8 (structured clone, v8Serializer)',
    encode: (value) => serialize(value),
    decode: (payload) => deserialize(asBytes(payload)),
  },
  { name: 'JSON', encode: (value) => JSON.stringify(value), decode: (payload) => JSON.parse(asText(payload)) },
  {
    name: '@msgpack/msgpack (useBigInt64)',
    encode: (value) => msgpackPlain.encoder.encode(value),
    decode: (payload) => msgpackPlain.decoder.decode(asBytes(payload)),
    note: 'Date and BigInt built in; no built-in Map or Set',
  },
  {
    name: '@msgpack/msgpack + Map/Set extensions',
    encode: (value) => msgpackTyped.encoder.encode(value),
    decode: (payload) => msgpackTyped.decoder.decode(asBytes(payload)),
    note: 'Map and Set registered as extension types (the documented pattern; about 15 lines)',
  },
  {
    name: 'superjson',
    encode: (value) => superjson.stringify(value),
    decode: (payload) => superjson.parse(asText(payload)),
  },
  { name: 'devalue', encode: (value) => devalue.stringify(value), decode: (payload) => devalue.parse(asText(payload)) },
  {
    name: 'msgpackr (structuredClone)',
    encode: (value) => msgpackr.pack(value),
    decode: (payload) => msgpackr.unpack(asBytes(payload)),
    note: 'native extract loaded; keeps Date, Map, Set, BigInt, cycles; -0 comes back as 0 and array holes as null',
  },
];
