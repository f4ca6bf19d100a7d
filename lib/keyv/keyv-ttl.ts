/**
 * A Keyv TTL in whole milliseconds, or undefined for none (Keyv passes undefined, 0 or junk for
 * "no TTL"). @example toPx(1500.4) === 1500; toPx(0) === undefined
 */
export function toPx(ttl: number | undefined): number | undefined {
  return typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0 ? Math.max(1, Math.round(ttl)) : undefined;
}
