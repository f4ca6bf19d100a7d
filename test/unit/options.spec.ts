import { describe, expect, it } from 'vitest';
import { CacheKitOptionsError } from '../../lib/index.js';
import { resolveOptions } from '../../lib/options/cachekit-options.validator.js';

describe('module options', () => {
  it('applies documented defaults', () => {
    const resolved = resolveOptions({});
    expect(resolved).toMatchObject({
      namespace: 'cache',
      defaultTtlMs: 300_000,
      jitter: 0.1,
      operationTimeoutMs: 100,
      maxInFlight: Infinity,
      breakerFailures: 5,
      breakerCooldownMs: 5_000,
      maxValueBytes: 1024 * 1024,
      memoryMaxEntries: 10_000,
    });
    expect(resolved.redis).toBeUndefined();
  });

  it('returns a warning, for the caller to log, when a Redis store keeps the default namespace', () => {
    const [warning, ...more] = resolveOptions({ redis: 'redis://127.0.0.1:6379' }).warnings;
    expect(more).toEqual([]);
    expect(warning).toMatch(/^Option 'namespace' is left at its default 'cache'/);
    expect(resolveOptions({ redis: 'redis://127.0.0.1:6379', namespace: 'shop' }).warnings).toEqual([]);
    expect(resolveOptions({}).warnings).toEqual([]);
  });

  it.each([
    [{ defaultTtl: '5 minutes' }, /Option 'defaultTtl' must be a positive duration.*got '5 minutes'/],
    [{ jitter: 2 }, /Option 'jitter' must be a number between 0 and 1/],
    [{ namespace: 'a:b' }, /Option 'namespace' must be/],
    [{ redis: 'localhost:6379' }, /Option 'redis' must be a redis:\/\/ URL/],
    [{ redis: 42 }, /Option 'redis'/],
    [{ maxValueBytes: -1 }, /Option 'maxValueBytes' must be a positive integer/],
    [
      { maxInFlight: 0 },
      /Option 'maxInFlight' \(store calls in flight at once; e\.g\. 256, or leave it out for no bound\) must be a positive integer; got 0/,
    ],
    [{ maxInFlight: 1.5 }, /Option 'maxInFlight' .* must be a positive integer; got 1\.5/],
    [{ maxInFlight: '100' }, /Option 'maxInFlight' .* must be a positive integer; got '100'/],
    [{ maxInflight: 100 }, /Unknown option 'maxInflight' in CacheKitModule options\. Did you mean 'maxInFlight'\?/],
    [{ ttl: '5m' }, /Unknown option 'ttl' in CacheKitModule options/],
    [{ defaultTll: '5m' }, /Unknown option 'defaultTll' in CacheKitModule options\. Did you mean 'defaultTtl'\?/],
    [
      { breaker: { failure: 3 } },
      /Unknown option 'breaker\.failure' in CacheKitModule options\. Did you mean 'breaker\.failures'\?/,
    ],
    [
      { l1: { maxEntry: 10 } },
      /Unknown option 'l1\.maxEntry' in CacheKitModule options\. Did you mean 'l1\.maxEntries'\?/,
    ],
    [
      { memory: { max: 10 } },
      /Unknown option 'memory\.max' in CacheKitModule options\. Known options: memory\.maxEntries\./,
    ],
    [{ compression: { minByte: 10 } }, /Unknown option 'compression\.minByte'.*Did you mean 'compression\.minBytes'\?/],
    [{ singleFlight: { lese: '1s' } }, /Unknown option 'singleFlight\.lese'.*Did you mean 'singleFlight\.lease'\?/],
    [{ breaker: 5 }, /CacheKitModule options: option 'breaker' must be an object/],
    [{ serializer: {} }, /Option 'serializer' must have encode/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveOptions(options as never)).toThrow(CacheKitOptionsError);
    expect(() => resolveOptions(options as never)).toThrow(message);
  });
});
