import type { CacheVerdict } from '../observability/observability.interface.js';

/** What the verdict looks at, over the window. */
export interface VerdictInput {
  lookups: number;
  hitRatio: number;
  meanLoadMs?: number;
  meanStoreHitMs?: number;
  savedMs?: number;
  spentMs: number;
  /** How the window reads in a sentence: '10 min'. */
  span: string;
}

// Below this many lookups a ratio says little; below this hit ratio the misses' extra round trip
// and the memory outweigh what the few hits save.
const MIN_LOOKUPS = 20;
const MIN_HIT_RATIO = 0.1;

/**
 * Whether a cache earns its keep, with the reason in one sentence.
 * @example verdict({ lookups: 400, hitRatio: 0.03, spentMs: 90, span: '10 min' }).reason // 'hit ratio 3% over 10 min: ...'
 */
export function verdict(input: VerdictInput): CacheVerdict {
  const { lookups, hitRatio, meanLoadMs, meanStoreHitMs, savedMs, spentMs, span } = input;
  const ratio = `hit ratio ${percent(hitRatio)} over ${span}`;
  if (lookups === 0) return { kind: 'idle', reason: `no lookups over ${span}` };
  if (lookups < MIN_LOOKUPS)
    return { kind: 'unknown', reason: `only ${lookups} lookups over ${span}: too few to judge` };
  if (hitRatio < MIN_HIT_RATIO) return { kind: 'costs', reason: `${ratio}: this cache costs more than it saves` };
  if (meanLoadMs === undefined)
    return { kind: 'unknown', reason: `${ratio}, but no load was seen: the time a hit saves is unknown` };
  if (meanStoreHitMs !== undefined && meanLoadMs <= meanStoreHitMs)
    return {
      kind: 'costs',
      reason: `mean load ${ms(meanLoadMs)} is faster than a Redis round trip (a store hit takes ${ms(meanStoreHitMs)}): the origin answers quicker than the cache`,
    };
  if (savedMs !== undefined && savedMs < spentMs)
    return {
      kind: 'costs',
      reason: `${ratio}: hits saved ${ms(savedMs)} of origin time, lookups took ${ms(spentMs)}: this cache costs more than it saves`,
    };
  return {
    kind: 'pays',
    reason: `${ratio}: hits saved ${ms(savedMs ?? 0)} of origin time for ${ms(spentMs)} in the cache`,
  };
}

/** A span in words: '10 min', '45 s'. */
export function span(windowMs: number): string {
  return windowMs >= 60_000 ? `${Math.round(windowMs / 60_000)} min` : `${Math.max(1, Math.round(windowMs / 1000))} s`;
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

function ms(value: number): string {
  if (value >= 10_000) return `${(value / 1000).toFixed(0)} s`;
  if (value >= 1_000) return `${(value / 1000).toFixed(1)} s`;
  return value >= 10 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
}
