import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Optional deflate of large serialized values: less Redis memory and network per entry, for some
 * CPU on write and on every read from Redis. Decompression is always available, so instances with
 * and without the option read each other's entries; its output is capped so a hostile or corrupt
 * payload cannot inflate without bound.
 */
export class Compression {
  /** `minBytes: Infinity` turns compression off (decompression stays available). */
  constructor(
    private readonly minBytes: number,
    private readonly maxOutputBytes: number,
  ) {}

  /** The compressed body, or undefined when the body is small or does not shrink. */
  compress(body: Uint8Array): Uint8Array | undefined {
    if (body.byteLength < this.minBytes) return undefined;
    const compressed = deflateRawSync(body);
    return compressed.byteLength < body.byteLength ? compressed : undefined;
  }

  /** The inflated body; throws once the output would pass `maxOutputBytes` (and the constructor's cap). */
  decompress(body: Uint8Array, maxOutputBytes = this.maxOutputBytes): Uint8Array {
    return inflateRawSync(body, { maxOutputLength: Math.min(maxOutputBytes, this.maxOutputBytes) });
  }
}
