import { CacheKitOptionsError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';

/** A duration: milliseconds as a number, or `'250ms' | '30s' | '5m' | '1h' | '1d'`. @example ttl: '10m' */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses a duration to milliseconds; `where` names the option in the error. @example parseDuration('5m', 'defaultTtl') === 300000 */
export function parseDuration(value: unknown, where: string): number {
  let ms: number | undefined;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const match = PATTERN.exec(value.trim());
    if (match) ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    throw new CacheKitOptionsError(messages.invalidDuration(where, value));
  }
  return Math.round(ms);
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
