// resolveTags: the one check of a tags function's result, shared by definitions and @CacheEvict({ tags }).
import { describe, expect, it } from 'vitest';
import { CacheKeyError, defineCache } from '../../lib/index.js';
import { resolveTags } from '../../lib/definitions/tags.js';

describe('resolveTags', () => {
  it('returns the tags built from the arguments', () => {
    expect(
      resolveTags((id: number, locale: string) => [`product:${id}`, `locale:${locale}`], [7, 'fr'], 'X#y'),
    ).toEqual(['product:7', 'locale:fr']);
    expect(resolveTags(() => [], [], 'X#y')).toEqual([]);
  });

  it('turns a throwing tags function into a CacheKeyError naming where', () => {
    const run = () =>
      resolveTags(
        () => {
          throw new Error('no tenant');
        },
        [],
        'ProductService#update',
      );
    expect(run).toThrow(CacheKeyError);
    expect(run).toThrow('The tags function of ProductService#update threw: no tenant.');
  });

  it.each([[undefined], ['product:1'], [['product:1', '']], [['product:1', 2]], [[null]]])(
    'rejects %j: tags are an array of non-empty strings',
    (result) => {
      const run = () => resolveTags(() => result as never, [], 'ProductService#update');
      expect(run).toThrow(CacheKeyError);
      expect(run).toThrow(/^The tags function of ProductService#update must return an array of non-empty strings/);
    },
  );

  it("is what a definition's tagsOf uses, naming the caller", () => {
    const definition = defineCache({
      name: 'product',
      tags: (id: number) => (id > 0 ? [`product:${id}`] : ['']),
    });
    expect(definition.tagsOf([3])).toEqual(['product:3']);
    expect(() => definition.tagsOf([0], 'ProductService#findOne')).toThrow(
      /^The tags function of ProductService#findOne must return/,
    );
    expect(() => definition.tagsOf([0])).toThrow(/^The tags function of defineCache\('product'\) must return/);
  });
});
