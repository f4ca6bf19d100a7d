import { describe, expect, it } from 'vitest';
import { v8Serializer } from '../../lib/index.js';
import { findUnserializable } from '../../lib/serialization/v8.serializer.js';
import { unwrap, wrap } from '../../lib/engine/entry/envelope.js';

describe('default serializer', () => {
  it('round-trips Date, Map, Set, BigInt, undefined inside objects, NaN and -0', () => {
    const value = {
      at: new Date('2026-11-22T10:00:00Z'),
      map: new Map<string, unknown>([
        ['a', 1],
        ['b', new Set([1, 2])],
      ]),
      set: new Set(['x']),
      big: 12345678901234567890n,
      missing: undefined,
      nan: NaN,
      negZero: -0,
      nested: [{ deep: [1, 'two', null] }],
    };
    const back = v8Serializer.decode(v8Serializer.encode(value)) as typeof value;
    expect(back).toEqual(value);
    expect('missing' in back).toBe(true);
    expect(Object.is(back.negZero, -0)).toBe(true);
    expect(back.at).toBeInstanceOf(Date);
    expect(back.map.get('b')).toBeInstanceOf(Set);
  });

  it('never pollutes prototypes when decoding', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted2": true}}}');
    const back = v8Serializer.decode(v8Serializer.encode(hostile)) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted2).toBeUndefined();
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it('names the path of what cannot be serialized', () => {
    expect(findUnserializable({ a: [1, { fn: () => 1 }] })).toEqual({ path: 'result.a[1].fn', what: 'a function' });
    expect(findUnserializable({ ok: new Map([['k', Symbol('s')]]) })?.what).toBe('a symbol');
    expect(findUnserializable({ fine: [1, 'x', new Date()] })).toBeUndefined();
  });
});

describe('envelope', () => {
  it('keeps metadata and body, and rejects foreign or corrupt payloads', () => {
    const body = v8Serializer.encode({ a: 1 });
    const payload = wrap(body, { createdAt: 1000, freshUntil: 2000, loadMs: 12.5, expiresAt: 3000 });
    const back = unwrap(payload)!;
    expect(back.meta).toEqual({ createdAt: 1000, freshUntil: 2000, loadMs: 12.5, expiresAt: 3000 });
    expect(v8Serializer.decode(back.body)).toEqual({ a: 1 });
    expect(unwrap(Buffer.from('{"a":1}'))).toBeUndefined();
    expect(unwrap(Buffer.alloc(3))).toBeUndefined();
  });
});

describe('default serializer and typed arrays', () => {
  it('decodes typed arrays into memory of their own, not views of the payload', () => {
    const body = v8Serializer.encode({ bytes: new Uint8Array([1, 2, 3]), buffer: Buffer.from('ab') });
    const first = v8Serializer.decode(body) as { bytes: Uint8Array; buffer: Buffer };
    first.bytes[0] = 42;
    first.buffer[0] = 0;
    const second = v8Serializer.decode(body) as { bytes: Uint8Array; buffer: Buffer };
    expect([...second.bytes]).toEqual([1, 2, 3]);
    expect(second.buffer.toString()).toBe('ab');
    expect(first.bytes.buffer).not.toBe(body.buffer);
  });
});
