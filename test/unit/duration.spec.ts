import { describe, expect, it } from 'vitest';
import { CacheKitOptionsError, defineCache } from '../../lib/index.js';
import { jitterTtl, parseDuration } from '../../lib/definitions/duration.js';

describe('durations', () => {
  it('parses numbers as milliseconds and unit strings', () => {
    expect(parseDuration(250, 'x')).toBe(250);
    expect(parseDuration('250ms', 'x')).toBe(250);
    expect(parseDuration('30s', 'x')).toBe(30_000);
    expect(parseDuration('5m', 'x')).toBe(300_000);
    expect(parseDuration('1h', 'x')).toBe(3_600_000);
    expect(parseDuration('1d', 'x')).toBe(86_400_000);
    expect(parseDuration('1.5s', 'x')).toBe(1_500);
  });

  it('rejects other forms with an error naming the option and the accepted forms', () => {
    for (const bad of ['5 minutes', '5', 'm', -1, 0, NaN, Infinity, null, {}]) {
      expect(() => parseDuration(bad, `Option 'defaultTtl'`)).toThrow(CacheKitOptionsError);
    }
    expect(() => parseDuration('5 minutes', `Option 'defaultTtl'`)).toThrow(
      /Option 'defaultTtl' must be a positive duration: .*'250ms', '30s', '5m', '1h', '1d'; got '5 minutes'/,
    );
    expect(() => defineCache({ name: 'p', ttl: 'soon' as never })).toThrow(/defineCache\('p'\): option 'ttl'/);
  });

  it('jitters within +-fraction and spreads values', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const ttl = jitterTtl(60_000, 0.1);
      expect(ttl).toBeGreaterThanOrEqual(54_000);
      expect(ttl).toBeLessThanOrEqual(66_000);
      seen.add(ttl);
    }
    expect(seen.size).toBeGreaterThan(500);
    expect(jitterTtl(60_000, 0)).toBe(60_000);
    expect(jitterTtl(60_000, 0.1, () => 0)).toBe(54_000);
    expect(jitterTtl(60_000, 0.1, () => 1)).toBe(66_000);
  });
});
