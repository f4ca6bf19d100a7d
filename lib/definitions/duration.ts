import { CacheKitOptionsError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';

/** A duration: milliseconds as a number, or `'250ms' | '30s' | '5m' | '1h' | '1d'`. @example ttl: '10m' */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** The longest a duration may be, and how the error says so. */
export interface DurationLimit {
  maxMs: number;
  tooLong: (where: string, got: unknown) => string;
}

/**
 * Bound of a TTL: 3650 days. Redis takes longer ones, but a TTL beyond ten years is a mistake,
 * most often a timestamp (`Date.now() + ...`) passed where a duration belongs.
 */
export const TTL_LIMIT: DurationLimit = { maxMs: 3650 * UNIT_MS.d, tooLong: messages.ttlTooLong };

/**
 * Bound of a duration a timer waits for (timeouts, waits, leases, cooldowns): Node.js runs no timer
 * longer than 2^31-1 ms and fires a longer one after 1 ms instead.
 */
export const TIMER_LIMIT: DurationLimit = { maxMs: 2 ** 31 - 1, tooLong: messages.timerTooLong };

/**
 * Parses a duration to whole milliseconds, at least 1 and at most `limit` (a TTL's by default);
 * `where` names the option in the error. @example parseDuration('5m', 'defaultTtl') === 300000
 */
export function parseDuration(value: unknown, where: string, limit: DurationLimit = TTL_LIMIT): number {
  let ms: number | undefined;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const match = PATTERN.exec(value.trim());
    if (match) ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  if (ms === undefined || Number.isNaN(ms) || ms <= 0) {
    throw new CacheKitOptionsError(messages.invalidDuration(where, value));
  }
  // Infinity too: it is past every bound.
  if (ms > limit.maxMs) throw new CacheKitOptionsError(limit.tooLong(where, value));
  const rounded = Math.round(ms);
  if (rounded < 1) throw new CacheKitOptionsError(messages.durationUnderOneMs(where, value));
  return rounded;
}

/** Validates a jitter fraction in [0, 1). @example parseJitter(0.1, 'jitter') */
export function parseJitter(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw new CacheKitOptionsError(messages.invalidJitter(where, value));
  }
  return value;
}

/**
 * Spreads a TTL uniformly over +-fraction so entries written together do not expire together.
 * @example jitterTtl(60_000, 0.1) // somewhere in 54_000..66_000
 */
export function jitterTtl(ttlMs: number, fraction: number, random: () => number = Math.random): number {
  if (fraction === 0) return ttlMs;
  return Math.max(1, Math.round(ttlMs * (1 + (random() * 2 - 1) * fraction)));
}
