import { describe, expect, it } from 'vitest';
import { CacheKeyError, defineCache } from '../../lib/index.js';
import { encodeKey } from '../../lib/keys/key-encoding.js';

describe('key encoding', () => {
  it('is injective across types and separators', () => {
    const values: unknown[] = [
      1,
      '1',
      null,
      'null',
      true,
      'true',
      ['a:b', 'c'],
      ['a', 'b:c'],
      [],
      [[]],
      {},
      [{}],
      '',
      [''],
      ['', ''],
      1n,
      '1n',
      -0,
      0,
      new Date(0),
      '@0',
      { a: 1 },
      { a: '1' },
      { 'a=1': 2 },
      ['a,b'],
      ['a', 'b'],
      [['a', 'b']],
      ['(a,b)'],
      '~n',
      '~t',
      '#1',
      'a%3Ab',
      'a:b',
      [undefined],
      ['~u'],
    ];
    const keys = values.map((value) => encodeKey(value));
    expect(new Set(keys).size).toBe(values.length);
  });

  it('keeps plain ids readable', () => {
    expect(encodeKey([42, 'en'])).toBe('#42:en');
    expect(encodeKey('sku-123_A.b')).toBe('sku-123_A.b');
  });

  it('sorts object keys and drops undefined properties', () => {
    expect(encodeKey({ b: 1, a: 2 })).toBe(encodeKey({ a: 2, b: 1 }));
    expect(encodeKey({ a: 1, b: undefined })).toBe(encodeKey({ a: 1 }));
  });

  it('never lets user strings form separators, globs, hash tags or control characters', () => {
    const hostile = ['a:b', 'x*', 'q?', '[ab]', '{tag}', 'line\nbreak', 'nul\0', 'back\\slash', 'spa ce', 'ünï'];
    for (const text of hostile) {
      const key = encodeKey(text);
      expect(key).toMatch(/^[A-Za-z0-9_.\-/%]+$/);
    }
  });

  it('hashes long keys behind a readable prefix and stays short', () => {
    const long = 'x'.repeat(1000);
    const key = encodeKey(long);
    expect(key.length).toBeLessThanOrEqual(150);
    expect(key.startsWith('xxxx')).toBe(true);
    expect(key).toContain('~h');
    expect(encodeKey(long + 'y')).not.toBe(key);
  });

  it('keys class instances (validated DTOs) by their own fields', () => {
    class ListQuery {
      category = 'lamps';
      page = 2;
    }
    expect(encodeKey(new ListQuery())).toBe(encodeKey({ page: 2, category: 'lamps' }));
  });

  it('rejects what cannot be a key, naming the method and the path', () => {
    const where = 'ProductService#findOne';
    const cases: [unknown, RegExp][] = [
      [() => 1, /ProductService#findOne.*a function at key\[0\]/],
      [Symbol('s'), /a symbol at key\[0\]/],
      [new Map(), /an instance of Map at key\[0\]/],
      [new Date(NaN), /an invalid Date/],
    ];
    for (const [bad, message] of cases) {
      const definition = defineCache({ name: 'k', key: () => [bad] });
      expect(() => definition.keyOf([], where)).toThrow(CacheKeyError);
      expect(() => definition.keyOf([], where)).toThrow(message);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => defineCache({ name: 'k', key: () => cyclic }).keyOf([], where)).toThrow(
      /cyclic structure at key.self/,
    );
    expect(() => defineCache({ name: 'k', key: () => undefined }).keyOf([], where)).toThrow(/returned undefined/);
    expect(() =>
      defineCache({
        name: 'k',
        key: () => {
          throw new Error('boom');
        },
      }).keyOf([], where),
    ).toThrow('The key function of ProductService#findOne threw: boom.');
  });

  it('derives the key from every argument without a key function', () => {
    const definition = defineCache({ name: 'all' });
    expect(definition.keyOf([1, 'a'])).toBe('#1:a');
    expect(definition.keyOf([42])).toBe('#42');
    expect(definition.keyOf([1, 'a'])).not.toBe(definition.keyOf(['1', 'a']));
    expect(definition.keyOf([[1, 'a']])).not.toBe(definition.keyOf([1, 'a']));
    expect(definition.keyOf([1, undefined])).toBe(definition.keyOf([1]));
    expect(definition.keyOf([])).not.toBe(definition.keyOf([[]]));
  });
});
