/**
 * Turns values into bytes and back. Decoding must never pollute prototypes.
 * @example CacheKitModule.forRoot({ serializer: { encode: (v) => Buffer.from(JSON.stringify(v)), decode: (b) => JSON.parse(b.toString()) } })
 */
export interface CacheSerializer {
  encode(value: unknown): Uint8Array;
  decode(payload: Uint8Array): unknown;
}
