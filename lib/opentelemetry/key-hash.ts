import { createHash } from 'node:crypto';

/**
 * What traces show of a key: 16 hex digits of a salted SHA-256, never the key itself (keys can hold
 * personal data). One key hashes alike on every instance that shares the salt.
 * @example hashKey('{shop:user:#42}', 's3cret').length === 16
 */
export function hashKey(key: string, salt: string): string {
  return createHash('sha256').update(salt).update('\0').update(key).digest('hex').slice(0, 16);
}
