import { describe, expect, it } from 'vitest';
import { CacheKitOptionsError, defineCache } from '../../lib/index.js';
import { jitterTtl, parseDuration } from '../../lib/definitions/duration.js';
import { resolveOptions } from '../../lib/options/cachekit-options.validator.js';

const DAY = 86_400_000;
const LONGEST_TIMER = 2 ** 31 - 1;

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

  it.each(['1e3s', '5 minutes', '5', 'Infinityms', 'NaNs', '-5m', '+5m', '0ms', '0s', '.5s', '5M', '', '1_000ms'])(
    'rejects the string %j',
    (bad) => {
      expect(() => parseDuration(bad, `Option 'defaultTtl'`)).toThrow(CacheKitOptionsError);
      expect(() => parseDuration(bad, `Option 'defaultTtl'`)).toThrow(/^Option 'defaultTtl' must be/);
    },
  );

  it('rejects what would round to 0 ms instead of returning a zero duration', () => {
    for (const bad of [0.4, '0.4ms', '0.0001s', -0, Number.MIN_VALUE]) {
      expect(() => parseDuration(bad, `Option 'defaultTtl'`)).toThrow(CacheKitOptionsError);
      expect(() => parseDuration(bad, `Option 'defaultTtl'`)).toThrow(/^Option 'defaultTtl' must be/);
    }
    expect(parseDuration(0.5, 'x')).toBe(1);
    expect(parseDuration('1.5ms', 'x')).toBe(2);
  });

  it('rejects a TTL beyond 3650 days, such as a timestamp passed for a duration', () => {
    expect(parseDuration('3650d', `Option 'defaultTtl'`)).toBe(3650 * DAY);
    for (const bad of ['3651d', 3650 * DAY + 1, Date.now(), Number.MAX_SAFE_INTEGER, 1e21]) {
      expect(() => parseDuration(bad, `Option 'defaultTtl'`)).toThrow(CacheKitOptionsError);
      expect(() => parseDuration(bad, `Option 'defaultTtl'`)).toThrow(
        /^Option 'defaultTtl' must be at most '3650d' \(about 10 years\).*timestamp/,
      );
    }
    expect(() => defineCache({ name: 'p', ttl: '4000d' })).toThrow(/^defineCache\('p'\): option 'ttl' must be at most/);
    expect(() => defineCache({ name: 'p', swr: { fresh: '1m', stale: '4000d' } })).toThrow(
      /^defineCache\('p'\): option 'swr.stale' must be at most/,
    );
  });

  it.each([
    [{ operationTimeout: LONGEST_TIMER + 1 }, 'operationTimeout'],
    [{ shutdownTimeout: '25d' }, 'shutdownTimeout'],
    [{ breaker: { cooldown: '30d' } }, 'breaker.cooldown'],
    [{ singleFlight: { wait: '30d' } }, 'singleFlight.wait'],
    [{ singleFlight: { lease: '30d' } }, 'singleFlight.lease'],
  ])('rejects a module timer longer than Node.js runs one: %j', (options, option) => {
    expect(() => resolveOptions(options as never)).toThrow(CacheKitOptionsError);
    expect(() => resolveOptions(options as never)).toThrow(
      new RegExp(`^Option '${option}' must be at most 2147483647 ms \\(about 24\\.8 days`),
    );
  });

  it('accepts the longest timer, and rejects longer ones in definitions too', () => {
    expect(resolveOptions({ operationTimeout: LONGEST_TIMER, defaultTtl: '30d' })).toMatchObject({
      operationTimeoutMs: LONGEST_TIMER,
      defaultTtlMs: 30 * DAY,
    });
    expect(() => defineCache({ name: 'p', swr: { fresh: '1m', stale: '1h', refreshTimeout: '25d' } })).toThrow(
      /^defineCache\('p'\): option 'swr.refreshTimeout' must be at most 2147483647 ms/,
    );
    expect(() => defineCache({ name: 'p', singleFlight: { wait: '25d' } })).toThrow(
      /^defineCache\('p'\): option 'singleFlight.wait' must be at most 2147483647 ms/,
    );
    expect(() => defineCache({ name: 'p', singleFlight: { lease: '25d' } })).toThrow(
      /^defineCache\('p'\): option 'singleFlight.lease' must be at most 2147483647 ms/,
    );
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
