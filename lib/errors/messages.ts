// Every user-facing message in one place, as functions, so wording stays consistent.
const DURATION_FORMS = "a number of milliseconds, or a string like '250ms', '30s', '5m', '1h', '1d'";

export const messages = {
  invalidDuration: (where: string, got: unknown) =>
    `${where} must be a positive duration: ${DURATION_FORMS}; got ${show(got)}.`,
  invalidJitter: (where: string, got: unknown) =>
    `${where} must be a number between 0 and 1 (0.1 means +-10%, 0 turns jitter off); got ${show(got)}.`,
  invalidName: (where: string, got: unknown) =>
    `${where} must be a non-empty string of letters, digits, '_', '-' or '.' (at most 64 characters); got ${show(got)}.`,
  invalidPositiveInt: (where: string, got: unknown) => `${where} must be a positive integer; got ${show(got)}.`,
  invalidFunction: (where: string, got: unknown) => `${where} must be a function; got ${show(got)}.`,
  invalidRedis: (got: unknown) =>
    `Option 'redis' must be a redis:// URL, ioredis options, { cluster: [nodes], options? }, or an existing ioredis Redis/Cluster instance; got ${show(got)}.`,
  unknownOption: (where: string, name: string, known: readonly string[]) =>
    `Unknown option '${name}' in ${where}. Known options: ${known.join(', ')}.`,
  notAMethod: (decorator: string, where: string) =>
    `@${decorator} can only be used on methods, but ${where} is not a function (getters, setters and properties cannot be cached).`,
  staticMethod: (decorator: string, where: string) =>
    `@${decorator} cannot be used on the static method ${where}: decorate an instance method of a provider or controller.`,
  twoCacheables: (where: string) =>
    `${where} has two @Cacheable/@StaleWhileRevalidate decorators; a method reads from one cache. Use @CachePut for the others.`,
  keyThrew: (where: string, cause: unknown) =>
    `The key function of ${where} threw: ${cause instanceof Error ? cause.message : String(cause)}.`,
  badKeyValue: (where: string, path: string, what: string) =>
    `The key function of ${where} returned ${what} at ${path}; a key may contain strings, numbers, bigints, booleans, null, Dates, arrays and plain objects.`,
  tagsThrew: (where: string, cause: unknown) =>
    `The tags function of ${where} threw: ${cause instanceof Error ? cause.message : String(cause)}.`,
  badTags: (where: string, got: unknown) =>
    `The tags function of ${where} must return an array of non-empty strings; got ${show(got)}.`,
  keyCycle: (where: string, path: string) => `The key function of ${where} returned a cyclic structure at ${path}.`,
  notSerializable: (where: string, key: string, path: string, what: string) =>
    `Cannot cache the result of ${where} under key '${key}': ${what} at ${path} cannot be serialized. The method's value is returned uncached; remove it from the result or pass an 'unless' option.`,
  tooLarge: (where: string, key: string, bytes: number, limit: number) =>
    `Not caching ${where} under '${key}': ${bytes} bytes exceed maxValueBytes (${limit}). The value is returned uncached; raise maxValueBytes or cache less.`,
  notSerializableUnlocated: (where: string, key: string, detail: string) =>
    `Cannot cache the result of ${where} under key '${key}': it cannot be serialized (${detail}). The method's value is returned uncached; remove that part from the result or pass an 'unless' option.`,
  tooLargeAtLeast: (where: string, key: string, bytes: number, limit: number) =>
    `Not caching ${where} under '${key}': at least ${bytes} bytes exceed maxValueBytes (${limit}). The value is returned uncached; raise maxValueBytes or cache less.`,
  serializationPaused: (where: string, key: string, cause: string, seconds: number) =>
    `Not caching ${where} under key '${key}': a recent result of this cache could not be serialized (${cause}), so its results are not serialized for ${seconds}s more. The value is returned uncached.`,
  serializationPausing: (name: string, seconds: number) =>
    `Results of cache '${name}' are not serialized for the next ${seconds}s.`,
  largeResultsPaused: (where: string, key: string, cause: string, seconds: number, parts: number) =>
    `Not caching ${where} under key '${key}': a recent result of this cache was too large (${cause}, over maxValueBytes), so for ${seconds}s more only its results of at most ${parts} values are serialized. The value is returned uncached.`,
  largeResultsPausing: (name: string, seconds: number, parts: number) =>
    `For the next ${seconds}s only results of cache '${name}' with at most ${parts} values are serialized.`,
  unstorableRepeats: (count: number) => `${count} similar results were not stored since the last message.`,
  storedTooLarge: (where: string, key: string, bytes: number, limit: number) =>
    `Ignoring the entry '${key}' of ${where}: its ${bytes} bytes exceed maxValueBytes (${limit}); it counts as a miss.`,
  undecodableEntry: (where: string, key: string) =>
    `Ignoring an undecodable entry '${key}' of ${where}; it will be overwritten.`,
  evictNeedsTarget: (where: string) =>
    `@CacheEvict on ${where} needs a cache definition (or { name }) or a 'tags' function.`,
};

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return `a function`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
