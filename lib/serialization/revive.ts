/** A class whose instances a definition hands out (`type` option); abstract classes work too. */
export type RevivableClass = abstract new (...args: any[]) => object;

/** class-transformer's `plainToInstance`, as far as reviving needs it. */
export type PlainToInstance = (type: RevivableClass, plain: unknown) => unknown;

/** Turns a value the cache gave back into what the method returns (an instance of the class). */
export type Reviver = (value: unknown) => unknown;

/**
 * The reviver of a definition: its own `revive` hook, or one that makes instances of `type`
 * (with class-transformer's `plainToInstance` when given, so `@Type()` and `@Exclude()` apply;
 * otherwise `Object.create(prototype)` and an assign of the own properties). null and undefined
 * (negative caching) pass as they are; an array is revived element by element; a value already
 * an instance of `type` is handed out as it is. Undefined when the definition has neither.
 * @example reviverFor(ProductDto, undefined)!({ id: 1 }) instanceof ProductDto // true
 */
export function reviverFor(
  type: RevivableClass | undefined,
  revive: Reviver | undefined,
  transform?: PlainToInstance,
): Reviver | undefined {
  if (revive) return (value) => (value === null || value === undefined ? value : revive(value));
  if (!type) return undefined;
  const one = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object' || value instanceof type) return value;
    if (transform) return transform(type, value);
    return Object.assign(Object.create(type.prototype as object) as object, value);
  };
  return (value) => (Array.isArray(value) ? value.map(one) : one(value));
}

/**
 * class-transformer's `plainToInstance` when the app has it installed (an optional peer), loaded
 * once at boot: the hit path stays synchronous, and an app without it never loads it.
 */
export async function loadPlainToInstance(): Promise<PlainToInstance | undefined> {
  try {
    const module = (await import('class-transformer')) as { plainToInstance?: unknown; default?: unknown };
    const fn = module.plainToInstance ?? (module.default as { plainToInstance?: unknown } | undefined)?.plainToInstance;
    return typeof fn === 'function' ? (fn as PlainToInstance) : undefined;
  } catch {
    return undefined;
  }
}
