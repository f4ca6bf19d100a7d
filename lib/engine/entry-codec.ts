import { jitterTtl } from '../definitions/duration.js';
import { CacheSerializationError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';
import { CacheSerializer } from '../serialization/serializer.interface.js';
import { findUnserializable } from '../serialization/v8.serializer.js';
import { EntryPlan } from './entry-plan.js';
import { Envelope, unwrap, wrap } from './envelope.js';
import { RateLimitedLogger } from './rate-limited-logger.js';
import { Compression } from '../serialization/compression.js';

/** A value ready to store: the serialized body, the full payload and its TTL. */
export interface EncodedEntry {
  body: Uint8Array;
  payload: Buffer;
  ttlMs: number;
  freshUntil: number;
}

/**
 * Values to payloads and back: serialization, size limit, negative caching, `unless`, and the
 * jittered fresh/hard windows. Anything that must not be stored yields undefined (and is logged).
 */
export class EntryCodec {
  constructor(
    private readonly serializer: CacheSerializer,
    private readonly maxValueBytes: number,
    private readonly log: RateLimitedLogger,
    private readonly onSkip: (plan: EntryPlan, reason: string) => void,
    private readonly compression: Compression,
  ) {}

  encode(plan: EntryPlan, value: unknown, loadMs: number, tagVersions: string[]): EncodedEntry | undefined {
    const isNull = value === null || value === undefined;
    if (isNull && plan.cacheNullMs === undefined) return undefined;
    if (plan.shouldStore && !plan.shouldStore(value)) return undefined;
    const body = this.#serialize(plan, value);
    if (!body) return undefined;
    const now = Date.now();
    let ttlMs: number;
    let freshUntil = 0;
    if (isNull) ttlMs = jitterTtl(plan.cacheNullMs!, plan.jitter);
    else if (plan.swr) {
      // Both windows are jittered, so entries written together neither go stale nor expire together.
      const fresh = jitterTtl(plan.swr.freshMs, plan.jitter);
      freshUntil = now + fresh;
      ttlMs = fresh + jitterTtl(plan.swr.staleMs, plan.jitter);
    } else ttlMs = jitterTtl(plan.ttlMs, plan.jitter);
    const compressed = this.compression.compress(body);
    const meta = { createdAt: now, freshUntil, loadMs, expiresAt: now + ttlMs };
    const payload = wrap(compressed ?? body, meta, tagVersions, compressed !== undefined);
    return { body, payload, ttlMs, freshUntil };
  }

  /**
   * The decoded value and its serialized (uncompressed) body, or undefined when the payload is
   * foreign or corrupt (a miss, overwritten later).
   */
  decode(envelope: Envelope, plan: EntryPlan): { value: unknown; body: Uint8Array } | undefined {
    try {
      const body = envelope.compressed ? this.compression.decompress(envelope.body) : envelope.body;
      return { value: this.serializer.decode(body), body };
    } catch {
      this.log.warn(
        `decode:${plan.name}`,
        `Ignoring an undecodable entry '${plan.key}' of ${plan.where}; it will be overwritten.`,
      );
      return undefined;
    }
  }

  decodeBody(body: Uint8Array): unknown {
    return this.serializer.decode(body);
  }

  unwrap(payload: Uint8Array): Envelope | undefined {
    return unwrap(payload);
  }

  #serialize(plan: EntryPlan, value: unknown): Uint8Array | undefined {
    let body: Uint8Array;
    try {
      body = this.serializer.encode(value);
    } catch (error) {
      const found = findUnserializable(value);
      const failure = new CacheSerializationError(
        messages.notSerializable(
          plan.where,
          plan.key,
          found?.path ?? 'result',
          found?.what ?? (error as Error).message,
        ),
      );
      this.#skip(plan, 'serialize', failure.message);
      return undefined;
    }
    if (body.byteLength > this.maxValueBytes) {
      this.#skip(plan, 'size', messages.tooLarge(plan.where, plan.key, body.byteLength, this.maxValueBytes));
      return undefined;
    }
    return body;
  }

  #skip(plan: EntryPlan, reason: string, message: string): void {
    this.log.once(`${reason}:${plan.name}`, message); // once per cache name and reason; stats and events count every one
    this.onSkip(plan, message);
  }
}
