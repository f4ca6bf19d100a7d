import { INestApplicationContext } from '@nestjs/common';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheKit, CacheKitModuleOptions, defineCache } from '../../lib/index.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

/** A plain class (no class-transformer metadata): revived with its prototype. */
class Point {
  x = 0;
  y = 0;
  get length(): number {
    return Math.hypot(this.x, this.y);
  }
}

const pointById = defineCache({
  name: 'point',
  key: (id: number) => id,
  ttl: '150ms',
  jitter: 0,
  type: Point,
  failSafe: { maxAge: '1m', throttle: '10s' },
});

const STORES: [string, () => CacheKitModuleOptions][] = [
  ['standalone Redis', () => ({ redis: inject('redisUrl') })],
  ['the memory store', () => ({})],
];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe.each(STORES)('a fail-safe answer with type on %s', (_, options) => {
  let app: INestApplicationContext;
  afterEach(() => app?.close());

  it('is an instance of the class for the loading caller and for those that joined it', async () => {
    app = await bootApp({ ...options(), namespace: uniqueNamespace() });
    const cache = app.get(CacheKit);
    const first = await cache.getOrSet(pointById, [1], async () => Object.assign(new Point(), { x: 3, y: 4 }));
    expect(first.length).toBe(5);
    await sleep(250); // past its ttl: the next call loads, and the origin fails
    const failing = async (): Promise<Point> => {
      await sleep(30);
      throw new Error('origin down');
    };
    const answers = await Promise.all([
      cache.getOrSet(pointById, [1], failing),
      cache.getOrSet(pointById, [1], failing),
    ]);
    for (const answer of answers) {
      expect(answer).toBeInstanceOf(Point);
      expect(answer.length).toBe(5);
    }
    expect(answers[0]).not.toBe(answers[1]);
  });
});
