import { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheDefinitionError, CacheKeyError, Cacheable } from '../../lib/index.js';
import { BadKeys, BadKeysModule } from '../fixtures/bad-keys.fixture.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

/** The error a class definition throws, or undefined; decorators run when the class is defined. */
function definitionError(define: () => unknown): unknown {
  try {
    define();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('decorator guards, at class definition', () => {
  it('rejects @Cacheable on a getter, naming Class#member', () => {
    const error = definitionError(() => {
      class Inventory {
        // @ts-expect-error the types reject a getter too; this checks the runtime guard
        @Cacheable({ name: 'guard.getter' })
        get total(): Promise<number> {
          return Promise.resolve(1);
        }
      }
      return Inventory;
    });
    expect(error).toBeInstanceOf(CacheDefinitionError);
    expect((error as Error).message).toContain('Inventory#total');
  });

  it('rejects @Cacheable on a static method, naming Class#method', () => {
    const error = definitionError(() => {
      class Inventory {
        @Cacheable({ name: 'guard.static' })
        static async count(): Promise<number> {
          return 1;
        }
      }
      return Inventory;
    });
    expect(error).toBeInstanceOf(CacheDefinitionError);
    expect((error as Error).message).toContain('Inventory#count');
  });

  it('rejects two @Cacheable on one method, naming Class#method', () => {
    const error = definitionError(() => {
      class Inventory {
        @Cacheable({ name: 'guard.first' })
        @Cacheable({ name: 'guard.second' })
        async count(): Promise<number> {
          return 1;
        }
      }
      return Inventory;
    });
    expect(error).toBeInstanceOf(CacheDefinitionError);
    expect((error as Error).message).toContain('Inventory#count');
  });
});

describe('key functions that go wrong, at call time', () => {
  let app: INestApplicationContext;
  let keys: BadKeys;
  beforeAll(async () => {
    app = await bootApp({ namespace: uniqueNamespace() }, { imports: [BadKeysModule] });
    keys = app.get(BadKeys);
  });
  afterAll(() => app.close());

  const cases: [keyof BadKeys & string, RegExp][] = [
    ['throws', /threw: no key for 1/],
    ['returnsUndefined', /undefined/],
    ['returnsFunction', /function/],
    ['returnsSymbol', /symbol/],
    ['returnsCycle', /cyclic/],
  ];

  it.each(cases)('%s: the call rejects with a CacheKeyError naming BadKeys#method', async (method, detail) => {
    const call = (keys[method] as (id: number) => Promise<number>).bind(keys);
    let returned: unknown;
    expect(() => (returned = call(1))).not.toThrow(); // a rejection, never a synchronous throw
    const error = await (returned as Promise<number>).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(CacheKeyError);
    expect((error as Error).message).toContain(`BadKeys#${method}`);
    expect((error as Error).message).toMatch(detail);
  });
});
