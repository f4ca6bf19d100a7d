/**
 * How an entry lives in Redis: one string `<version> <n>\n<value tags><payload>`, where n is the
 * byte length of the store keys of the tags the value added (one a line). A
 * string holding only `<version>` is the fence of a load that has not stored yet. One string, not
 * a hash, so a hit is one GET, or one MGET with the tag versions beside it.
 * @example storedEntry('Ab3x.1', undefined, payload) // 'Ab3x.1 0\n' + payload
 */
export function storedEntry(version: string, valueTags: readonly string[] | undefined, payload: Uint8Array): Buffer {
  const tags = joinValueTags(valueTags);
  const header = `${version} ${Buffer.byteLength(tags)}\n${tags}`;
  return Buffer.concat([Buffer.from(header), payload]);
}

/** What a read takes from an entry: nothing for a fence, a missing or a foreign value. */
export interface StoredParts {
  payload?: Buffer;
  valueTags?: string[];
}

const NOTHING: StoredParts = Object.freeze({});
const NEWLINE = 0x0a;
const SPACE = 0x20;
// A version is `<process id>.<counter>` (version-nonce.ts): far shorter than this.
const MAX_HEADER = 64;

/** Parses what `storedEntry` wrote; anything else under an entry's key reads as no entry. */
export function parseStoredEntry(raw: Buffer | null | undefined): StoredParts {
  if (!raw) return NOTHING;
  const newline = raw.indexOf(NEWLINE);
  if (newline < 0 || newline > MAX_HEADER) return NOTHING;
  const space = raw.lastIndexOf(SPACE, newline);
  if (space <= 0) return NOTHING;
  const tagBytes = Number(raw.toString('latin1', space + 1, newline));
  const start = newline + 1 + tagBytes;
  if (!Number.isInteger(tagBytes) || tagBytes < 0 || start > raw.length) return NOTHING;
  const payload = raw.subarray(start);
  if (tagBytes === 0) return { payload };
  return { payload, valueTags: splitValueTags(raw.subarray(newline + 1, start)) };
}

/**
 * A read of an entry key that holds another type (an older layout's hash, a list) is a miss, and
 * the next fill replaces it: null for Redis's WRONGTYPE, any other error rethrown.
 */
export function foreignIsMiss(error: unknown): null {
  if (error instanceof Error && error.message.startsWith('WRONGTYPE')) return null;
  throw error;
}

// The store keys of the tags a value added, one a line: tag keys never hold a line break (key
// encoding escapes whitespace), so the split is exact.
function joinValueTags(tags: readonly string[] | undefined): string {
  return tags === undefined || tags.length === 0 ? '' : tags.join('\n');
}

function splitValueTags(field: Buffer): string[] {
  return field.toString('latin1').split('\n');
}
