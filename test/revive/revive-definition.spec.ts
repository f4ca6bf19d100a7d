import { describe, expect, it } from 'vitest';
import { CacheDefinitionError, defineCache } from '../../lib/index.js';
import { reviverFor } from '../../lib/serialization/revive.js';

class Point {
  x = 0;
  y = 0;
  get length(): number {
    return Math.hypot(this.x, this.y);
  }
}

describe('type and revive options', () => {
  it('type must be a class', () => {
    expect(() => defineCache({ name: 'p', type: (() => ({})) as never })).toThrow(CacheDefinitionError);
    expect(() => defineCache({ name: 'p', type: 'Point' as never })).toThrow(/option 'type' must be a class/);
  });

  it('type and revive together are refused', () => {
    expect(() => defineCache({ name: 'p', type: Point, revive: (v) => v as Point })).toThrow(/either 'type'/);
  });

  it('revive must be a function', () => {
    expect(() => defineCache({ name: 'p', revive: 3 as never })).toThrow(/option 'revive' must be a function/);
  });
});

describe('reviverFor without class-transformer', () => {
  const revive = reviverFor(Point, undefined)!;

  it('builds an instance from the prototype and the own properties', () => {
    const point = revive({ x: 3, y: 4 }) as Point;
    expect(point).toBeInstanceOf(Point);
    expect(point.length).toBe(5);
  });

  it('leaves instances, null, undefined and primitives as they are; maps arrays', () => {
    const point = new Point();
    expect(revive(point)).toBe(point);
    expect(revive(null)).toBeNull();
    expect(revive(undefined)).toBeUndefined();
    expect(revive(7)).toBe(7);
    expect((revive([{ x: 1, y: 0 }]) as Point[])[0]!.length).toBe(1);
  });

  it('a definition without type or revive has no reviver', () => {
    expect(reviverFor(undefined, undefined)).toBeUndefined();
  });
});
