/**
 * Keeps only the listed properties of a query object, so noise (tracking params) never fragments keys.
 * @example key: (q: ListQuery) => pick(q, ['category', 'sort', 'page'])
 */
export function pick<T extends object, K extends keyof T>(source: T, names: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const name of names) if (source[name] !== undefined) out[name] = source[name];
  return out;
}

/**
 * Drops the listed properties of a query object.
 * @example key: (q: ListQuery) => omit(q, ['utm_source', 'utm_medium'])
 */
export function omit<T extends object, K extends keyof T>(source: T, names: readonly K[]): Omit<T, K> {
  const out = { ...source };
  for (const name of names) delete out[name];
  return out;
}
