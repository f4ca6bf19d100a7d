/**
 * The encoded forms of a definition's recent primitive keys (strings, numbers): a hot key is
 * encoded once and the same string returned, whose hash the maps it meets (L1, flights) keep.
 * @example const encoded = keys.of(raw, encodeKey)
 */
export class EncodedKeys {
  readonly #known = new Map<string | number, string>();

  constructor(private readonly max = 4096) {}

  /** The encoding of `raw`: remembered for a string or a number, computed by `encode` otherwise. */
  of(raw: unknown, encode: (raw: unknown) => string): string {
    // A Map takes -0 for 0, which encodes differently: such a key is never remembered.
    if ((typeof raw !== 'string' && typeof raw !== 'number') || Object.is(raw, -0)) return encode(raw);
    let encoded = this.#known.get(raw);
    if (encoded === undefined) {
      encoded = encode(raw);
      // Cleared when full rather than kept in order: the hot keys come back at once.
      if (this.#known.size >= this.max) this.#known.clear();
      this.#known.set(raw, encoded);
    }
    return encoded;
  }
}
