import { CacheKeyError } from '../errors/cachekit.errors.js';
import { messages } from '../errors/messages.js';

/** A tags function as definitions and `@CacheEvict({ tags })` take it. */
export type TagsFunction = (...args: any[]) => readonly string[];

/**
 * Runs a tags function on a call's arguments and checks what it returns: one rule for every
 * caller (definitions, `@CacheEvict({ tags })`). A throwing function or anything but an array of
 * non-empty strings becomes a CacheKeyError naming `where` (and `option`, the function's option name).
 * @example resolveTags((id: number) => [`product:${id}`], [42], 'ProductService#update') // ['product:42']
 */
export function resolveTags(
  tags: TagsFunction,
  args: readonly unknown[],
  where: string,
  option = 'tags',
): readonly string[] {
  let result: unknown;
  try {
    result = tags(...args);
  } catch (cause) {
    throw new CacheKeyError(messages.tagsThrew(where, cause, option));
  }
  if (!Array.isArray(result) || result.some((tag) => typeof tag !== 'string' || tag === '')) {
    throw new CacheKeyError(messages.badTags(where, result, option));
  }
  return result;
}
