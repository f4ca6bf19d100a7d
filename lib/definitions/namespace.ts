/**
 * What a namespace may be: 1 to 32 letters, digits, '_', '-' or '.'. It starts every key, so it
 * can hold no ':' (the separator), no braces (a cluster hash tag) and no glob character.
 * @example NAMESPACE_PATTERN.test('shop') === true
 */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;

/** True for a string the module accepts as a namespace. @example isValidNamespace('a:b') === false */
export function isValidNamespace(value: unknown): value is string {
  return typeof value === 'string' && NAMESPACE_PATTERN.test(value);
}
