// Every key shape the module writes, and the rules for the names inside them, in one place.
//
// An entry is `{<namespace>:<name>:<parts>}`: the braces make the whole entry id a Redis Cluster
// hash tag, so its companion `{...}:lease` lands in the same slot. The module's own generated
// names start with '~' ('~tag', '~name', '~raw', '~probe', '~bus', '~beacon'), which no cache name may hold,
// so no entry ever collides with them. Keyv keys (`<namespace>:keyv:...`) start with no brace,
// so they never meet the module's own keys either.

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

const CACHE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** True for a valid cache name: letters, digits, `_ - .`, at most 64 characters (no glob, no brace). */
export function isCacheName(name: unknown): name is string {
  return typeof name === 'string' && CACHE_NAME.test(name);
}

/** The shared, frozen empty tag list: no allocation for the many entries without tags. */
export const NO_TAGS = Object.freeze([]) as unknown as string[];

/** Name under which raw (string) keys of CacheKit live; no definition can take it. */
export const RAW_NAME = '~raw';

/** `{namespace:name:`, the start of every entry key of a cache name. @example entryKeyPrefix('shop', 'product') === '{shop:product:' */
export function entryKeyPrefix(namespace: string, name: string): string {
  return `{${namespace}:${name}:`;
}

/** An entry key from its name's prefix and its encoded parts. @example entryKey('{shop:product:', '7') === '{shop:product:7}' */
export function entryKey(prefix: string, encodedParts: string): string {
  return prefix + encodedParts + '}';
}

/** Key of a raw string key given to CacheKit, already encoded: `{namespace:~raw:key}`. */
export function rawKey(namespace: string, encodedKey: string): string {
  return entryKey(entryKeyPrefix(namespace, RAW_NAME), encodedKey);
}

/** The lease of an entry: `{entry}:lease` shares the entry's hash tag, so it lives in the entry's slot. */
export function leaseKey(entry: string): string {
  return `${entry}:lease`;
}

/** Set while another instance waits for the load under an entry's lease: `{entry}:waiters` (the entry's slot). */
export function leaseWaitersKey(entry: string): string {
  return `${entry}:waiters`;
}

/** Pub/sub channel on which a fill that someone waited for is announced: `namespace:~filled`. */
export function fillChannel(namespace: string): string {
  return `${namespace}:~filled`;
}

/** Key of a tag's version, already encoded: `{namespace:~tag:tag}`, its own hash tag (a tag spans slots). */
export function tagKey(namespace: string, encodedTag: string): string {
  return `{${namespace}:~tag:${encodedTag}}`;
}

/** When a tag (or generation) was last evicted: `{tag}:evicted` shares the tag's hash tag, so it lives in its slot. */
export function tagEvictionKey(tag: string): string {
  return `${tag}:evicted`;
}

/** Key of a cache name's generation, the implicit tag of every entry of that name: `{namespace:~name:name}`. */
export function nameKey(namespace: string, name: string): string {
  return `{${namespace}:~name:${name}}`;
}

/** Key of the write probe sent while writes are failing: `{namespace:~probe}`. */
export function probeKey(namespace: string): string {
  return `{${namespace}:~probe}`;
}

/** Key of one instance's stats beacon: `{namespace:~beacon:instance}`, its own hash tag. */
export function beaconKey(namespace: string, instance: string): string {
  return `{${namespace}:~beacon:${instance}}`;
}

/** SCAN pattern of every beacon of a namespace (a namespace holds no glob character). */
export function beaconKeyPattern(namespace: string): string {
  return `{${namespace}:~beacon:*`;
}

/** SCAN pattern of every entry key of a cache name, leases included (names hold no glob character). */
export function entryKeyPattern(namespace: string, name: string): string {
  return `${entryKeyPrefix(namespace, name)}*`;
}

/** SCAN pattern of every key the module writes in a namespace (entries, leases, tags, generations, beacons). */
export function namespaceKeyPattern(namespace: string): string {
  return `{${namespace}:*`;
}

/** Pub/sub channel of the L1 invalidation bus: `namespace:~bus`. */
export function busChannel(namespace: string): string {
  return `${namespace}:~bus`;
}

/** What every Keyv key of a cache namespace starts with: `namespace:keyv:`. */
export function keyvPrefix(namespace: string): string {
  return `${namespace}:keyv:`;
}

/**
 * The key part naming a scope (a tenant), already encoded: `~s<scope>:`, put before an entry's
 * parts, a tag or a cache name. Encoded parts never start with '~s' (an encoded string escapes '~',
 * and no type marker is '~s'), and an encoded scope holds no ':', so no scoped key collides with
 * an unscoped one or with another scope's. @example scopePart('acme') === '~sacme:'
 */
export function scopePart(encodedScope: string): string {
  return `~s${encodedScope}:`;
}

/** The part before the tags of entries that opted out of scoping (`scope: false`) in a scoped app: `~g:`. */
export const GLOBAL_PART = '~g:';
