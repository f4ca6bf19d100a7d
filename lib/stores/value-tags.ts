/**
 * How an entry records the store keys of the tags its value added (field `t` in Redis): one a
 * line. Tag keys never hold a line break (key encoding escapes whitespace), so the split is exact.
 * @example joinValueTags(['{shop:~tag:category%3A7}']) // '{shop:~tag:category%3A7}'
 */
export function joinValueTags(tags: readonly string[] | undefined): string {
  return tags === undefined || tags.length === 0 ? '' : tags.join('\n');
}

/** The store keys recorded by `joinValueTags`; undefined when there are none. @example splitValueTags(null) // undefined */
export function splitValueTags(field: Buffer | string | null | undefined): string[] | undefined {
  if (field === null || field === undefined || field.length === 0) return undefined;
  return (typeof field === 'string' ? field : field.toString('latin1')).split('\n');
}
