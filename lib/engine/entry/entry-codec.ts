import { jitterTtl } from '../../definitions/duration.js';
import { CacheSerializationError } from '../../errors/cachekit.errors.js';
import { messages } from '../../errors/messages.js';
import { Compression } from '../../serialization/compression.js';
import { CacheSerializer } from '../../serialization/serializer.interface.js';
import { UnstorableReason, UnstorableRecord, UnstorableResults } from '../../serialization/unstorable-results.js';
import { findUnserializable, v8Serializer } from '../../serialization/v8.serializer.js';
import { defaultSerializer, encodeBody } from '../../serialization/default.serializer.js';
import { JSON_FORMAT, copyJsonValue } from '../../serialization/json-format.js';
import { Inspection, MAX_NESTING, inspectValue } from '../../serialization/value-inspection.js';
import { EntryPlan } from './entry-plan.js';
import { Envelope, unwrap, wrap } from './envelope.js';
import { RateLimitedLogger } from '../../observability/rate-limited-logger.js';
import { NO_TAGS } from '../../keys/key-layout.js';

/** A value ready to store: the serialized body, the full payload and its TTL. */
export interface EncodedEntry {
  body: Uint8Array;
  payload: Buffer;
  ttlMs: number;
  freshUntil: number;
}

// After a result of a cache name could not be stored, that name is handled warily for this long.
const UNSTORABLE_PAUSE_MS = 60_000;
// What the look before encoding may cost on every write: a few thousand values, well under a ms.
const FIRST_LOOK_NODES = 4_096;
// What that look found: refused (and reported), walked completely (and exact as JSON), or too many
// parts to tell.
const REFUSED = 0;
const FITS = 1;
const UNKNOWN = 2;
const FITS_JSON = 3;
type Look = typeof REFUSED | typeof FITS | typeof UNKNOWN | typeof FITS_JSON;
type PausedMessage = (where: string, key: string, cause: string, seconds: number) => string;

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
    private readonly now: () => number = Date.now,
  ) {
    this.#inspects = serializer === v8Serializer || serializer === defaultSerializer;
    this.#picksFormat = serializer === defaultSerializer;
  }

  readonly #unstorable = new UnstorableResults(UNSTORABLE_PAUSE_MS);
  // Sizes and limits are known ahead of encoding for the built-in formats only.
  readonly #inspects: boolean;
  // The default serializer's choice of format comes from the look already taken: no second walk.
  readonly #picksFormat: boolean;
  // Shared bodies in the JSON format, parsed (see decodeSharedBody); they go with their body.
  readonly #parsed = new WeakMap<Uint8Array, unknown>();

  encode(plan: EntryPlan, value: unknown, loadMs: number, tagVersions: string[]): EncodedEntry | undefined {
    const isNull = value === null || value === undefined;
    if (isNull && plan.cacheNullMs === undefined) return undefined;
    if (plan.shouldStore && !this.#allowed(plan, value)) return undefined;
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
    } else {
      const base = plan.ttlFor ? this.#valueTtl(plan, value) : plan.ttlMs;
      if (base === undefined) return undefined;
      ttlMs = jitterTtl(base, plan.jitter);
    }
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
    // Nothing this codec writes is larger, so anything larger is foreign or corrupt: not worth decoding.
    if (envelope.body.byteLength > this.maxValueBytes) {
      const bytes = envelope.body.byteLength;
      this.log.warn(`oversize:${plan.name}`, messages.storedTooLarge(plan.where, plan.key, bytes, this.maxValueBytes));
      return undefined;
    }
    try {
      const body = envelope.compressed ? this.compression.decompress(envelope.body, this.maxValueBytes) : envelope.body;
      return { value: this.serializer.decode(body), body };
    } catch {
      this.log.warn(`decode:${plan.name}`, messages.undecodableEntry(plan.where, plan.key));
      return undefined;
    }
  }

  decodeBody(body: Uint8Array): unknown {
    return this.serializer.decode(body);
  }

  /**
   * `decodeBody` for a body many callers decode (the joiners of one load): a JSON-format body is
   * parsed once, kept beside the body (never handed out) and copied for each caller.
   */
  decodeSharedBody(body: Uint8Array): unknown {
    if (!this.#picksFormat || body[0] !== JSON_FORMAT) return this.serializer.decode(body);
    let parsed = this.#parsed.get(body);
    if (parsed === undefined) this.#parsed.set(body, (parsed = this.serializer.decode(body)));
    return copyJsonValue(parsed);
  }

  unwrap(payload: Uint8Array): Envelope | undefined {
    return unwrap(payload);
  }

  #serialize(plan: EntryPlan, value: unknown): Uint8Array | undefined {
    const now = this.now();
    const paused = this.#unstorable.recent(plan.name, 'serialize', now);
    if (paused) return this.#skip(plan, paused, now, messages.serializationPaused);
    const look = this.#inspects ? this.#look(plan, value, now) : UNKNOWN;
    if (look === REFUSED) return undefined;
    const oversized = look === UNKNOWN && this.#unstorable.recent(plan.name, 'size', now);
    if (oversized) {
      return this.#skip(plan, oversized, now, (where, key, cause, seconds) =>
        messages.largeResultsPaused(where, key, cause, seconds, FIRST_LOOK_NODES),
      );
    }
    let body: Uint8Array;
    try {
      body = this.#picksFormat ? encodeBody(value, look === FITS_JSON) : this.serializer.encode(value);
    } catch (error) {
      const found = findUnserializable(value);
      if (found) this.#refuse(plan, found.path, found.what, now);
      else {
        const detail = error instanceof Error ? error.message : String(error);
        const message = new CacheSerializationError(messages.notSerializableUnlocated(plan.where, plan.key, detail));
        this.#fail(plan, 'serialize', message.message, detail, now);
      }
      return undefined;
    }
    if (body.byteLength > this.maxValueBytes) {
      const message = messages.tooLarge(plan.where, plan.key, body.byteLength, this.maxValueBytes);
      this.#fail(plan, 'size', message, `${body.byteLength} bytes`, now);
      return undefined;
    }
    return body;
  }

  /**
   * A look of a few thousand values before encoding, for what v8 cannot stop early on: nesting it
   * cannot read back, parts it refuses, and sizes over the limit (strings and buffers count in
   * full, so one huge string costs nothing to refuse). Results with more parts stay unknown.
   */
  #look(plan: EntryPlan, value: unknown, now: number): Look {
    const limits = { maxBytes: this.maxValueBytes, maxDepth: MAX_NESTING, maxNodes: FIRST_LOOK_NODES };
    let look: Inspection;
    try {
      look = inspectValue(value, limits);
    } catch {
      return UNKNOWN; // a getter or proxy trap threw; encoding reads it again and reports it
    }
    if (look.kind === 'too-large') {
      const message = messages.tooLargeAtLeast(plan.where, plan.key, look.bytes, this.maxValueBytes);
      this.#fail(plan, 'size', message, `at least ${look.bytes} bytes`, now);
      return REFUSED;
    }
    if (look.kind === 'unserializable') {
      this.#refuse(plan, look.path, look.what, now);
      return REFUSED;
    }
    if (look.kind !== 'fits') return UNKNOWN;
    return look.json ? FITS_JSON : FITS;
  }

  #refuse(plan: EntryPlan, path: string, what: string, now: number): void {
    const error = new CacheSerializationError(messages.notSerializable(plan.where, plan.key, path, what));
    this.#fail(plan, 'serialize', error.message, `${what} at ${path}`, now);
  }

  // `unless` is the app's code: if it throws, the origin's answer still reaches the caller, uncached.
  #allowed(plan: EntryPlan, value: unknown): boolean {
    try {
      return plan.shouldStore!(value);
    } catch (cause) {
      const message = messages.unlessThrew(plan.where, plan.key, cause);
      this.log.warn(`unless:${plan.name}`, message);
      this.onSkip(plan, message);
      return false;
    }
  }

  // A `ttl` function is the app's code too: when it fails, the answer is returned uncached.
  /**
   * The store keys of the tags `value` adds (`resultTags`): none for null or undefined, and
   * undefined (reported, the value stays uncached) when the function fails.
   */
  valueTags(plan: EntryPlan, value: unknown): string[] | undefined {
    if (!plan.valueTagsFor || value === null || value === undefined) return NO_TAGS;
    try {
      return plan.valueTagsFor(value);
    } catch (cause) {
      const message = messages.resultTagsFailed(plan.where, plan.key, cause);
      this.log.warn(`resultTags:${plan.name}`, message);
      this.onSkip(plan, message);
      return undefined;
    }
  }

  #valueTtl(plan: EntryPlan, value: unknown): number | undefined {
    try {
      return plan.ttlFor!(value);
    } catch (cause) {
      const message = messages.ttlFunctionFailed(plan.where, plan.key, cause);
      this.log.warn(`ttl:${plan.name}`, message);
      this.onSkip(plan, message);
      return undefined;
    }
  }

  // A result skipped without trying, because of a recent failure of its cache name.
  #skip(plan: EntryPlan, record: UnstorableRecord, now: number, message: PausedMessage): undefined {
    this.#unstorable.skipped(record);
    this.onSkip(plan, message(plan.where, plan.key, record.cause, Math.ceil((record.until - now) / 1000)));
    return undefined;
  }

  // Stats and events count every result not stored; the log says so once per pause and cache name.
  #fail(plan: EntryPlan, reason: UnstorableReason, message: string, cause: string, now: number): void {
    const unlogged = this.#unstorable.failed(plan.name, reason, cause, now);
    if (unlogged !== undefined) {
      const seconds = UNSTORABLE_PAUSE_MS / 1000;
      const pause =
        reason === 'serialize'
          ? messages.serializationPausing(plan.name, seconds)
          : messages.largeResultsPausing(plan.name, seconds, FIRST_LOOK_NODES);
      const repeats = unlogged > 0 ? ` ${messages.unstorableRepeats(unlogged)}` : '';
      this.log.warn(`${reason}:${plan.name}`, `${message} ${pause}${repeats}`);
    }
    this.onSkip(plan, message);
  }
}
