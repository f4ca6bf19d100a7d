import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EntryCodec } from '../../lib/engine/entry/entry-codec.js';
import { EntryPlan } from '../../lib/engine/entry/entry-plan.js';
import { RateLimitedLogger } from '../../lib/observability/rate-limited-logger.js';
import { Compression } from '../../lib/serialization/compression.js';
import { findUnserializable, v8Serializer } from '../../lib/serialization/v8.serializer.js';

const plan = (key: string): EntryPlan => ({
  key,
  tags: [],
  name: 'report',
  where: 'ReportService#find',
  ttlMs: 60_000,
  jitter: 0,
});

function chain(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node = root;
  for (let i = 1; i < levels; i++) node = (node.next = {}) as Record<string, unknown>;
  return root;
}

/** A codec over the default serializer with a clock the test moves, and what it reported. */
function codecUnderTest(maxValueBytes = 100_000) {
  const clock = { now: 1_000_000 };
  const skips: string[] = [];
  const logger = new Logger('EntryCodecTest');
  const warnings = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  const codec = new EntryCodec(
    v8Serializer,
    maxValueBytes,
    new RateLimitedLogger(logger, 0),
    (_, reason) => skips.push(reason),
    new Compression(Infinity, 1 << 26),
    () => clock.now,
  );
  return { codec, clock, skips, warnings };
}

describe('EntryCodec: results it does not store', () => {
  afterEach(() => vi.restoreAllMocks());

  it('after an unserializable result, skips serializing results of that cache for a minute, counting each', () => {
    const { codec, clock, skips, warnings } = codecUnderTest();
    const encode = vi.spyOn(v8Serializer, 'encode');
    const bad = { rows: Array.from({ length: 10_000 }, (_, i) => ({ id: i })), format: () => 'x' };

    expect(codec.encode(plan('k1'), bad, 1, [])).toBeUndefined();
    const attempts = encode.mock.calls.length;
    expect(codec.encode(plan('k2'), { fine: true }, 1, [])).toBeUndefined();
    expect(codec.encode(plan('k3'), bad, 1, [])).toBeUndefined();
    expect(encode.mock.calls.length).toBe(attempts); // no attempt while the pause lasts
    expect(skips).toHaveLength(3);
    expect(skips[1]).toMatch(/ReportService#find under key 'k2'.*a function at result\.format/);
    expect(warnings).toHaveBeenCalledTimes(1);

    clock.now += 61_000;
    expect(codec.encode(plan('k4'), { fine: true }, 1, [])).toBeDefined(); // tried again
    expect(codec.encode(plan('k5'), bad, 1, [])).toBeUndefined();
    expect(warnings).toHaveBeenCalledTimes(2);
    expect(String(warnings.mock.calls[1][0])).toContain('2 similar results were not stored');
  });

  it('after an oversized result, skips serializing results of that cache for a minute unless they are plainly small', () => {
    const { codec, skips } = codecUnderTest(100_000);
    const encode = vi.spyOn(v8Serializer, 'encode');
    const big = Array.from({ length: 50_000 }, (_, i) => ({ id: i })); // small parts: only encoding shows the size

    expect(codec.encode(plan('k1'), big, 1, [])).toBeUndefined();
    expect(encode).toHaveBeenCalledTimes(1);
    expect(codec.encode(plan('k2'), big, 1, [])).toBeUndefined();
    expect(encode).toHaveBeenCalledTimes(1);
    expect(codec.encode(plan('k3'), [1, 2, 3], 1, [])).toBeDefined(); // small results of the same cache are still stored
    expect(skips).toHaveLength(2);
    expect(skips[1]).toMatch(/ReportService#find under key 'k2'.*too large.*over maxValueBytes/);
  });

  it('never serializes a value whose strings alone exceed maxValueBytes', () => {
    const { codec, skips } = codecUnderTest(100_000);
    const encode = vi.spyOn(v8Serializer, 'encode');
    expect(codec.encode(plan('k1'), { text: 'x'.repeat(10_000_000) }, 1, [])).toBeUndefined();
    expect(encode).not.toHaveBeenCalled();
    expect(skips[0]).toContain('exceed maxValueBytes');
  });

  it('refuses values nested deeper than the format reads back, naming a bounded path', () => {
    const { codec, skips } = codecUnderTest();
    expect(codec.encode(plan('k1'), chain(2_500), 1, [])).toBeUndefined();
    expect(skips[0]).toContain('result.next.next');
    expect(skips[0]).toContain('2500 levels');
    expect(codec.encode(plan('k2'), chain(900), 1, [])).toBeUndefined(); // paused: same cache name
  });
});

describe('EntryCodec: results that throw when read', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a getter that throws makes the result unstorable, never an error for the caller', () => {
    const { codec, skips } = codecUnderTest();
    const value = {
      id: 1,
      get price(): number {
        throw new Error('price is not loaded');
      },
    };
    expect(codec.encode(plan('k1'), value, 1, [])).toBeUndefined();
    expect(skips[0]).toMatch(/ReportService#find under key 'k1'.*price is not loaded/);
  });
});

describe('findUnserializable', () => {
  it('walks deep values without recursion and bounds the path it reports', () => {
    const found = findUnserializable(chain(6_000));
    expect(found?.path).toMatch(/^result\.next\.next.*…\(6000 levels\)$/);
    expect(found!.path.length).toBeLessThan(120);
  });

  it('bounds the number of values it visits', () => {
    const rows: unknown[] = Array.from({ length: 1_000_000 }, (_, i) => ({ id: i }));
    rows.push({ format: () => 'x' });
    expect(findUnserializable(rows)).toBeUndefined(); // too far in to look for
    expect(findUnserializable([{ format: () => 'x' }, ...rows.slice(0, 10)])).toEqual({
      path: 'result[0].format',
      what: 'a function',
    });
  });

  it('shortens paths deep inside a value', () => {
    const value = chain(50);
    let node = value;
    while (node.next) node = node.next as Record<string, unknown>;
    node.fn = () => 1;
    expect(findUnserializable(value)).toEqual({
      path: 'result.next.next.next.next….next.fn (50 levels)',
      what: 'a function',
    });
  });
});
