import { describe, expect, it } from 'vitest';
import { parseStoredEntry, storedEntry } from '../../lib/stores/stored-entry.js';

const payload = Buffer.from([0x43, 0x4b, 0x0a, 0x20, 0xff, 0x00, 0x0a]); // holds newlines and spaces

describe('the stored entry layout', () => {
  it('round-trips the payload and the value tags, whatever bytes the payload holds', () => {
    const tags = ['{shop:~tag:category%3A7}', '{shop:~tag:brand%3A2}'];
    expect(parseStoredEntry(storedEntry('Ab3x_-.1z', tags, payload))).toEqual({ payload, valueTags: tags });
    expect(parseStoredEntry(storedEntry('Ab3x.2', undefined, payload))).toEqual({ payload });
    expect(parseStoredEntry(storedEntry('Ab3x.3', [], new Uint8Array()))).toEqual({ payload: Buffer.alloc(0) });
  });

  it('starts with the version, which is all the scripts read', () => {
    const entry = storedEntry('Ab3x.9', ['{t}'], payload);
    expect(entry.subarray(0, 12).toString('latin1')).toBe('Ab3x.9 3\n{t}');
  });

  it.each([
    ['nothing', null],
    ['a fence (a version only)', Buffer.from('Ab3x.1')],
    ['no tag length', Buffer.from('Ab3x.1\npayload')],
    ['a tag length that is no number', Buffer.from('Ab3x.1 zz\npayload')],
    ['a negative tag length', Buffer.from('Ab3x.1 -2\npayload')],
    ['more tag bytes than the entry holds', Buffer.from('Ab3x.1 99\nshort')],
    ['a header longer than any version', Buffer.from(`${'a'.repeat(80)}.1 0\npayload`)],
  ])('reads %s as no entry', (_, raw) => {
    expect(parseStoredEntry(raw)).toEqual({});
  });
});
