// Where a key, as Keyv passes it, lives in a store that several Keyv namespaces share.
//
// Keyv passes `<namespace>:<key>`, which alone is ambiguous: namespace 'a' with key 'b:k' and
// namespace 'a:b' with key 'k' are the same text, so no pattern on that text can clear 'a'
// without clearing 'a:b'. The store therefore files each key under the namespace Keyv set on it,
// with '%' and ':' percent-encoded so that the namespace ends at the first ':':
//   `<encoded namespace>:<key>`   a key of the store's namespace ('keyv:/quotes/7', 'a%3Ab:k')
//   `:<key>`                      any other key (a Keyv without namespace, or key prefixing off)
// An encoded namespace is never empty and has no ':', so no namespace's prefix is a prefix of
// another's, and none is a prefix of the no-namespace group.

const ENCODED = { '%': '%25', ':': '%3A' } as const;
const DECODED = { '%25': '%', '%3A': ':' } as const;

/** The entry key (what follows the store's own prefix) of a key as Keyv passes it. */
export function entryKey(namespace: string | undefined, key: string): string {
  if (namespace && key.startsWith(`${namespace}:`)) {
    return encodeNamespace(namespace) + key.slice(namespace.length);
  }
  return `:${key}`;
}

/** The key as Keyv passed it, back from an entry key. */
export function keyvKey(entry: string): string {
  const end = entry.indexOf(':');
  if (end <= 0) return entry.slice(end + 1);
  return (
    entry.slice(0, end).replace(/%25|%3A/g, (escape) => DECODED[escape as keyof typeof DECODED]) + entry.slice(end)
  );
}

/** What the entry keys of a namespace start with; '' (every entry) without a namespace. */
export function namespacePrefix(namespace: string | undefined): string {
  return namespace ? `${encodeNamespace(namespace)}:` : '';
}

/** Text matched literally by a Redis SCAN MATCH pattern: its glob characters escaped. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function encodeNamespace(namespace: string): string {
  return namespace.replace(/[%:]/g, (char) => ENCODED[char as keyof typeof ENCODED]);
}
