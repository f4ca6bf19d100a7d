import { createHash } from 'node:crypto';

/** What a key function may return: plain data that has one canonical text form. */
export type KeyValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | Date
  | readonly KeyValue[]
  | { readonly [key: string]: KeyValue };

/** Thrown by the encoder with the path of the offending part; turned into a CacheKeyError by the caller. */
export class KeyEncodingProblem {
  constructor(
    readonly path: string,
    readonly what: string,
    readonly cycle = false,
  ) {}
}

// Characters that stay readable in a key. Everything else (':', '*', '?', '[', ']', '{', '}',
// '\\', whitespace, NUL, '%', '~', '#', '@', '(', ')', ',', '=', non-ASCII) is percent-encoded,
// so a user string can never form a separator, a glob, a cluster hash tag or a type marker.
const SAFE = /^[A-Za-z0-9_.\-/]*$/;
// One match per code point (a lone surrogate is one unit, as in a for...of over the string).
const UNSAFE = /[^A-Za-z0-9_.\-/]/gu;
const HEX = Array.from({ length: 256 }, (_, byte) => '%' + byte.toString(16).toUpperCase().padStart(2, '0'));
// Per ASCII code: '' when the character stays as it is, else its escape.
const ASCII_ESCAPES = Array.from({ length: 128 }, (_, code) => (SAFE.test(String.fromCharCode(code)) ? '' : HEX[code]));
const OPAQUE: (abstract new (...args: never[]) => object)[] = [Map, Set, WeakMap, WeakSet, Promise, RegExp, Error];
// With a namespace of at most 32 and a name of at most 64 characters, a full key stays under 256 bytes.
const MAX_KEY_BYTES = 150;
const READABLE_PREFIX = 48;

/** Percent-encodes one unsafe code point as its UTF-8 bytes (a lone surrogate as U+FFFD). */
function escapeChar(char: string): string {
  let out = '';
  for (const byte of Buffer.from(char, 'utf8')) out += HEX[byte];
  return out;
}

function encodeString(text: string): string {
  if (text === '') return '~e';
  // ASCII (every key built from ids and slugs) in one pass over the char codes; from the first
  // non-ASCII character on (a code point boundary), a regex pass over the rest.
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128) return out + text.slice(copied, i) + text.slice(i).replace(UNSAFE, escapeChar);
    const escape = ASCII_ESCAPES[code];
    if (escape === '') continue;
    out += text.slice(copied, i) + escape;
    copied = i + 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function encodeValue(value: unknown, path: string, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return encodeString(value);
    case 'number':
      return '#' + (Object.is(value, -0) ? '-0' : String(value));
    case 'bigint':
      return '#' + value.toString() + 'n';
    case 'boolean':
      return value ? '~t' : '~f';
    case 'undefined':
      return '~u';
    case 'object':
      break;
    default:
      throw new KeyEncodingProblem(path, `a ${typeof value}`);
  }
  if (value === null) return '~n';
  if (value instanceof Date) {
    const time = value.getTime();
    if (Number.isNaN(time)) throw new KeyEncodingProblem(path, 'an invalid Date');
    return '@' + time;
  }
  if (seen.has(value)) throw new KeyEncodingProblem(path, 'a cycle', true);
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return '(' + value.map((item, i) => encodeValue(item, `${path}[${i}]`, seen)).join(',') + ')';
    }
    // Class instances (validated DTOs from Nest's ValidationPipe) are keyed by their own fields,
    // like plain objects; built-ins whose content is not in own fields are rejected.
    if (OPAQUE.some((type) => value instanceof type) || ArrayBuffer.isView(value)) {
      throw new KeyEncodingProblem(path, `an instance of ${value.constructor?.name ?? 'a built-in'}`);
    }
    const parts: string[] = [];
    for (const name of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[name];
      if (item === undefined) continue; // like JSON: an absent and an undefined property are the same query
      parts.push(encodeString(name) + '=' + encodeValue(item, `${path}.${name}`, seen));
    }
    return '~o(' + parts.join(',') + ')';
  } finally {
    seen.delete(value);
  }
}

/**
 * Canonical, injective text form of a key function's result. An array of two or more items is a
 * list of key parts joined with ':' (readable: `#42:en`); anything else is one part, and the nested
 * encoding never contains ':', so the two forms cannot collide. Long keys keep a readable prefix
 * and end in `~h` + a SHA-256 digest, a marker the unhashed encoding never produces.
 * @example encodeKey([42, 'en']) === '#42:en'
 */
export function encodeKey(value: unknown, budget = MAX_KEY_BYTES): string {
  // The usual key, one id: no cycle tracking needed.
  if (typeof value === 'string') return limit(encodeString(value), budget);
  const seen = new Set<object>();
  const encoded =
    Array.isArray(value) && value.length >= 2
      ? value.map((part, i) => encodeValue(part, `[${i}]`, seen)).join(':')
      : encodeValue(value, 'key', seen);
  return limit(encoded, budget);
}

/**
 * Key of a call without a key function: every argument, trailing undefined ones dropped (so a
 * default parameter left out and passed as undefined give one key).
 * @example encodeArgs([42]) === '#42'; encodeArgs([42, 'en']) === '#42:en'
 */
export function encodeArgs(args: readonly unknown[], budget = MAX_KEY_BYTES): string {
  let length = args.length;
  while (length > 0 && args[length - 1] === undefined) length--;
  if (length === 0) return '~0';
  // One argument uses the nested form (an array argument stays '(a,b)'), so f([a, b]) and f(a, b) differ.
  if (length === 1) return limit(encodeValue(args[0], '[0]', new Set()), budget);
  return encodeKey(args.slice(0, length), budget);
}

function limit(encoded: string, budget: number): string {
  if (encoded.length <= budget) return encoded;
  const digest = createHash('sha256').update(encoded).digest('base64url');
  return encoded.slice(0, READABLE_PREFIX) + '~h' + digest;
}
