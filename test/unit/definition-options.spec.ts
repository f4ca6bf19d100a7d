// Misspelt or unknown options in definitions and decorators are rejected at class-definition
// time, naming where, the key, the known ones and the closest known one. Casts stand in for
// untyped or cast code, which the compiler cannot check.
import { describe, expect, it } from 'vitest';
import {
  CacheDefinitionError,
  CacheEvict,
  CachePut,
  Cacheable,
  StaleWhileRevalidate,
  defineCache,
} from '../../lib/index.js';
import { closestName, editDistance } from '../../lib/definitions/known-options.js';

const loose = (options: object) => options as any;
const byId = defineCache({ name: 'product', key: (id: number) => id });

/** The error thrown by `run`, for several assertions on one message. */
function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('unknown options in defineCache', () => {
  it('rejects a misspelt key, naming the definition, the key, the closest known one and the known ones', () => {
    const error = errorOf(() => defineCache(loose({ name: 'x', tll: '5m' })));
    expect(error).toBeInstanceOf(CacheDefinitionError);
    expect(error.message).toMatch(/^Unknown option 'tll' in defineCache\('x'\)\. Did you mean 'ttl'\?/);
    expect(error.message).toContain(
      'Known options: name, key, ttl, jitter, cacheNull, condition, unless, tags, resultTags, swr, earlyRefresh, singleFlight, loadTimeout, failSafe, timeout, audit, type, revive, scope.',
    );
  });

  it('names the first unknown key and offers no suggestion when nothing is close', () => {
    const error = errorOf(() => defineCache(loose({ name: 'x', graceful: 1 })));
    expect(error).toBeInstanceOf(CacheDefinitionError);
    expect(error.message).toMatch(/^Unknown option 'graceful' in defineCache\('x'\)\. Known options: /);
    expect(error.message).not.toContain('Did you mean');
  });

  it('suggests across case and transposed letters', () => {
    expect(() => defineCache(loose({ name: 'x', TTL: '5m' }))).toThrow(/Did you mean 'ttl'\?/);
    expect(() => defineCache(loose({ name: 'x', cachenull: '5s' }))).toThrow(/Did you mean 'cacheNull'\?/);
    expect(() => defineCache(loose({ name: 'x', unelss: () => false }))).toThrow(/Did you mean 'unless'\?/);
    expect(() => defineCache(loose({ name: 'x', tag: () => [] }))).toThrow(/Did you mean 'tags'\?/);
  });

  it.each([
    [{ swr: { fresh: '1s', stael: '1m' } }, 'swr.stael', 'swr.stale', 'swr.fresh, swr.stale, swr.refreshTimeout'],
    [{ earlyRefresh: { beat: 2 } }, 'earlyRefresh.beat', 'earlyRefresh.beta', 'earlyRefresh.beta'],
    [
      { singleFlight: { wiat: '1s' } },
      'singleFlight.wiat',
      'singleFlight.wait',
      'singleFlight.wait, singleFlight.lease',
    ],
  ])('rejects an unknown key inside a nested option: %j', (nested, key, suggestion, known) => {
    const error = errorOf(() => defineCache(loose({ name: 'x', ...nested })));
    expect(error).toBeInstanceOf(CacheDefinitionError);
    expect(error.message).toContain(`Unknown option '${key}' in defineCache('x'). Did you mean '${suggestion}'?`);
    expect(error.message).toContain(`Known options: ${known}.`);
  });

  it('rejects a nested option that is not an object', () => {
    for (const nested of [{ swr: '5m' }, { earlyRefresh: 2 }, { singleFlight: true }, { swr: null }]) {
      const error = errorOf(() => defineCache(loose({ name: 'x', ...nested })));
      expect(error).toBeInstanceOf(CacheDefinitionError);
      expect(error.message).toMatch(/^defineCache\('x'\): option '(swr|earlyRefresh|singleFlight)' must be an object/);
    }
  });

  it('rejects something that is not an options object', () => {
    expect(() => defineCache(undefined as never)).toThrow(
      /^defineCache\(\.\.\.\) needs an options object; got undefined\./,
    );
    expect(() => {
      class ProductService {
        @Cacheable('product' as never)
        async findOne(id: number): Promise<number> {
          return id;
        }
      }
      return ProductService;
    }).toThrow(/^@Cacheable on ProductService#findOne needs an options object; got 'product'\./);
  });

  it('accepts every documented option', () => {
    const definition = defineCache({
      name: 'every',
      key: (id: number) => id,
      jitter: 0.2,
      cacheNull: '5s',
      condition: () => true,
      unless: () => false,
      tags: (id: number) => [`t:${id}`],
      swr: { fresh: '1s', stale: '1m', refreshTimeout: '2s' },
      earlyRefresh: { beta: 2 },
      singleFlight: { wait: '1s', lease: '2s' },
    });
    expect(definition.swr).toEqual({ freshMs: 1_000, staleMs: 60_000, refreshTimeoutMs: 2_000 });
    expect(definition.singleFlight).toEqual({ waitMs: 1_000, leaseMs: 2_000 });
    expect(defineCache({ name: 'off', singleFlight: false, cacheNull: false }).singleFlight).toBe(false);
  });
});

describe('unknown options in decorators', () => {
  it('@Cacheable names the class and method', () => {
    const error = errorOf(() => {
      class ProductService {
        @Cacheable(loose({ name: 'product', tll: '5m' }))
        async findOne(id: number): Promise<number> {
          return id;
        }
      }
      return ProductService;
    });
    expect(error).toBeInstanceOf(CacheDefinitionError);
    expect(error.message).toMatch(
      /^Unknown option 'tll' in @Cacheable on ProductService#findOne\. Did you mean 'ttl'\?/,
    );
  });

  it('@CachePut names the class and method', () => {
    expect(() => {
      class ProductService {
        @CachePut(loose({ name: 'product', swr: { fresh: '1s', stale: '1m', refreshTimeut: '1s' } }))
        async update(id: number): Promise<number> {
          return id;
        }
      }
      return ProductService;
    }).toThrow(
      /^Unknown option 'swr\.refreshTimeut' in @CachePut on ProductService#update\. Did you mean 'swr\.refreshTimeout'\?/,
    );
  });

  it("@StaleWhileRevalidate knows its own options: fresh and stale, not 'ttl' or 'swr'", () => {
    const error = errorOf(() => {
      class StatsService {
        @StaleWhileRevalidate(loose({ name: 'stats', fresh: '1s', stale: '1m', ttl: '5m' }))
        async stats(category: string): Promise<string> {
          return category;
        }
      }
      return StatsService;
    });
    expect(error).toBeInstanceOf(CacheDefinitionError);
    expect(error.message).toMatch(/^Unknown option 'ttl' in @StaleWhileRevalidate on StatsService#stats\./);
    expect(error.message).toContain('fresh, stale, refreshTimeout');
    expect(error.message).not.toMatch(/Known options:.*\bswr\b/);
    expect(() => {
      class StatsService {
        @StaleWhileRevalidate(loose({ name: 'stats', fresh: '1s', stael: '1m' }))
        async stats(category: string): Promise<string> {
          return category;
        }
      }
      return StatsService;
    }).toThrow(/Unknown option 'stael' in @StaleWhileRevalidate on StatsService#stats\. Did you mean 'stale'\?/);
  });

  it('@CacheEvict checks its evict options, with a definition and with tags only', () => {
    const withDefinition = errorOf(() => {
      class ProductService {
        @CacheEvict(byId, loose({ beforeInvokation: true }))
        async remove(id: number): Promise<number> {
          return id;
        }
      }
      return ProductService;
    });
    expect(withDefinition).toBeInstanceOf(CacheDefinitionError);
    expect(withDefinition.message).toMatch(
      /^Unknown option 'beforeInvokation' in @CacheEvict on ProductService#remove\. Did you mean 'beforeInvocation'\?/,
    );
    expect(withDefinition.message).toContain('Known options: tags, allEntries, beforeInvocation, condition.');

    expect(() => {
      class ProductService {
        @CacheEvict(loose({ tags: (id: number) => [`product:${id}`], allEntry: true }))
        async update(id: number): Promise<number> {
          return id;
        }
      }
      return ProductService;
    }).toThrow(/^Unknown option 'allEntry' in @CacheEvict on ProductService#update\. Did you mean 'allEntries'\?/);

    expect(() => {
      class ProductService {
        @CacheEvict(loose({ tagz: (id: number) => [`product:${id}`] }))
        async update(id: number): Promise<number> {
          return id;
        }
      }
      return ProductService;
    }).toThrow(/^Unknown option 'tagz' in @CacheEvict on ProductService#update\. Did you mean 'tags'\?/);
  });

  it('an invalid inline option names the decorated method, not defineCache', () => {
    expect(() => {
      class ProductService {
        @Cacheable({ name: 'product', ttl: 'soon' as never })
        async findOne(id: number): Promise<number> {
          return id;
        }
      }
      return ProductService;
    }).toThrow(/^@Cacheable on ProductService#findOne: option 'ttl' must be a positive duration/);
  });

  it('@CacheEvict checks an inline definition too', () => {
    expect(() => {
      class ProductService {
        @CacheEvict(loose({ name: 'product', kye: (id: number) => id }))
        async remove(id: number): Promise<number> {
          return id;
        }
      }
      return ProductService;
    }).toThrow(/^Unknown option 'kye' in @CacheEvict on ProductService#remove\. Did you mean 'key'\?/);
  });
});

describe('closestName', () => {
  it('counts a swap of two neighbours as one edit, ignores case and stays quiet when nothing is close', () => {
    expect(editDistance('tll', 'ttl')).toBe(1);
    expect(editDistance('stael', 'stale')).toBe(1);
    expect(editDistance('', 'ttl')).toBe(3);
    expect(editDistance('name', 'name')).toBe(0);
    expect(closestName('DefaultTTL', ['defaultTtl', 'jitter'])).toBe('defaultTtl');
    expect(closestName('ttls', ['ttl', 'tags'])).toBe('ttl');
    expect(closestName('failsafe', ['ttl', 'tags', 'jitter', 'unless'])).toBeUndefined();
    expect(closestName('x', ['ttl'])).toBeUndefined();
  });
});
