// Every user-facing message in one place, as functions, so wording stays consistent.
const DURATION_FORMS = "a number of milliseconds, or a string like '250ms', '30s', '5m', '1h', '1d'";

export const messages = {
  invalidDuration: (where: string, got: unknown) =>
    `${where} must be a positive duration: ${DURATION_FORMS}; got ${show(got)}.`,
  durationUnderOneMs: (where: string, got: unknown) =>
    `${where} must be at least 1 ms (durations are whole milliseconds); got ${show(got)}.`,
  ttlTooLong: (where: string, got: unknown) =>
    `${where} must be at most '3650d' (about 10 years); got ${show(got)}. Pass how long the entry lives, not a timestamp (Date.now() + ...).`,
  timerTooLong: (where: string, got: unknown) =>
    `${where} must be at most 2147483647 ms (about 24.8 days, the longest timer Node.js runs); got ${show(got)}.`,
  invalidJitter: (where: string, got: unknown) =>
    `${where} must be a number between 0 and 1 (0.1 means +-10%, 0 turns jitter off); got ${show(got)}.`,
  invalidName: (where: string, got: unknown) =>
    `${where} must be a non-empty string of letters, digits, '_', '-' or '.' (at most 64 characters); got ${show(got)}.`,
  invalidNamespace: (where: string, got: unknown) =>
    `${where} must be 1 to 32 letters, digits, '_', '-' or '.' (it starts every key: no ':', braces or spaces); got ${show(got)}.`,
  keyvNeedsIoredis: () =>
    `CacheKitKeyvStore needs an ioredis Redis or Cluster client: inject the module's one with CACHEKIT_REDIS.`,
  invalidPositiveInt: (where: string, got: unknown) => `${where} must be a positive integer; got ${show(got)}.`,
  invalidBeaconInstance: (got: unknown) =>
    `Option 'statsBeacon.instance' must be 1 to 64 letters, digits, '_', '-' or '.' (it becomes part of a Redis key); got ${show(got)}.`,
  invalidFunction: (where: string, got: unknown) => `${where} must be a function; got ${show(got)}.`,
  invalidType: (where: string, got: unknown) =>
    `${where} must be a class (type: ProductDto), the class cached values are revived into; got ${show(got)}.`,
  ttlThrew: (where: string, cause: unknown) =>
    `The ttl function of ${where} threw: ${cause instanceof Error ? cause.message : String(cause)}.`,
  ttlFunctionFailed: (where: string, key: string, cause: unknown) =>
    `Not caching ${where} under '${key}': ${cause instanceof Error ? cause.message : String(cause)} The value is returned uncached; fix the ttl function.`,
  batchNeedsDefinition: (where: string) =>
    `${where} needs the single-id definition its ids are cached under (defineCache({ name, key: (id) => id })), so findOne(id) and the batch share entries.`,
  batchNeedsIds: (where: string, got: unknown) => `${where} needs an array of ids; got ${show(got)}.`,
  batchBadResult: (where: string, got: unknown) =>
    `The batch loader of ${where} must resolve to a Map of id to value (or [id, value] pairs); got ${show(got)}. Nothing was cached.`,
  batchArrayNeedsIdOf: (where: string) =>
    `${where} returned an array: give @CacheableMany an idOf option (idOf: (product) => product.id) so each value finds its id, or return a Map of id to value.`,
  invalidScopeOption: (where: string, got: unknown) =>
    `${where} can only be false (this definition's entries are shared by every scope); leave it out to scope the definition. Got ${show(got)}.`,
  scopeThrew: (where: string, cause: unknown) =>
    `The module's scope function threw for ${where} (${cause instanceof Error ? cause.message : String(cause)}): the call runs uncached, and its evictions reach every scope.`,
  scopeInvalid: (where: string, got: unknown) =>
    `The module's scope function must return a non-empty string or undefined; for ${where} it returned ${show(got)}. The call runs uncached, and its evictions reach every scope.`,
  typeAndRevive: (where: string) =>
    `${where}: set either 'type' (a class) or 'revive' (a function), not both; revive can build the instance itself.`,
  defaultNamespaceShared: (namespace: string) =>
    `Option 'namespace' is left at its default '${namespace}' with a Redis store: every other app on the same Redis that keeps the default too reads, overwrites and evicts the same entries. Set namespace to a name of this app (for example namespace: 'shop').`,
  invalidRedis: (got: unknown) =>
    `Option 'redis' must be a redis:// URL, ioredis options, { cluster: [nodes], options? }, or an existing ioredis Redis/Cluster instance; got ${show(got)}.`,
  unknownOption: (where: string, name: string, known: readonly string[], suggestion?: string) =>
    `Unknown option '${name}' in ${where}.${suggestion === undefined ? '' : ` Did you mean '${suggestion}'?`} Known options: ${known.join(', ')}.`,
  needsOptions: (where: string, got: unknown) => `${where} needs an options object; got ${show(got)}.`,
  notAnObject: (where: string, known: readonly string[], got: unknown) =>
    `${where} must be an object (options: ${known.join(', ')}); got ${show(got)}.`,
  invalidBoolean: (where: string, got: unknown) => `${where} must be true or false; got ${show(got)}.`,
  swrNeedsSwr: (name: string) =>
    `@StaleWhileRevalidate needs a definition with an 'swr' option; '${name}' has none. Add swr: { fresh, stale } to it, or use @Cacheable.`,
  ttlWithSwr: (where: string) => `${where}: set either 'ttl' or 'swr' (whose hard expiry is fresh + stale), not both.`,
  invalidReportWindow: (windowMs: number, stepMs: number) =>
    `Option 'report' must have a 'step' no longer than its 'window', and at most 1440 steps per window; got window ${windowMs} ms, step ${stepMs} ms. Example: report: { window: '10m', step: '1m' }.`,
  invalidSampleRate: (where: string, got: unknown) =>
    `${where} must be a number from 0 to 1 (0.01 re-checks one hit in a hundred against the origin); got ${show(got)}.`,
  auditMismatch: (where: string, keyHash: string, graceMs: number) =>
    `Staleness audit: ${where} served a cached value (key hash ${keyHash}) that differs from what the method returns now, still ${graceMs} ms later. A write path is probably missing an eviction rule (or reads and writes build keys differently); see CacheKit.report().`,
  invalidBeta: (where: string, got: unknown) =>
    `${where} must be a positive number (1 is the usual choice); got ${show(got)}.`,
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
  unlessThrew: (where: string, key: string, cause: unknown) =>
    `Not caching ${where} under '${key}': its unless function threw (${cause instanceof Error ? cause.message : String(cause)}). The value is returned uncached; fix the unless function.`,
  tagsThrew: (where: string, cause: unknown, option = 'tags') =>
    `The ${option} function of ${where} threw: ${cause instanceof Error ? cause.message : String(cause)}.`,
  badTags: (where: string, got: unknown, option = 'tags') =>
    `The ${option} function of ${where} must return an array of non-empty strings; got ${show(got)}.`,
  resultTagsFailed: (where: string, key: string, cause: unknown) =>
    `Not caching ${where} under '${key}': ${cause instanceof Error ? cause.message : String(cause)} The value is returned uncached; fix the resultTags function.`,
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
  loadTimedOut: (where: string, key: string, timeoutMs: number) =>
    `${where} did not load '${key}' within loadTimeout (${timeoutMs} ms). This caller stopped waiting; the load keeps running and its result is stored if it succeeds. Raise loadTimeout, or catch CacheLoadTimeoutError to answer without the value.`,
  failSafeTooShort: (where: string, maxAgeMs: number, lifeMs: number) =>
    `${where} (${maxAgeMs} ms) must be longer than the entry's life (${lifeMs} ms: its ttl, or fresh + stale): it is how long the entry is kept in all, so a shorter one keeps nothing past expiry. Raise failSafe.maxAge (for example '1d').`,
  softNotBeforeHard: (where: string, softMs: number, hardMs: number) =>
    `${where} (${softMs} ms) must be shorter than timeout.hard (${hardMs} ms): past the soft timeout a fail-safe value answers, past the hard one an error does. Lower timeout.soft or raise timeout.hard.`,
  loadTimeoutTwice: (where: string) =>
    `${where}: set either 'loadTimeout' or 'timeout.hard' (they are the same setting), not both.`,
  failSafeServed: (where: string, key: string, cause: string, throttleMs: number) =>
    `${where} could not load '${key}' (${cause}); serving the last good value (fail-safe), retrying the origin in ${throttleMs} ms at the earliest.`,
  evictNeedsTarget: (where: string) => `${where} needs a cache definition (or { name }) or a 'tags' function.`,
  invalidSerializer: () => `Option 'serializer' must have encode(value) and decode(bytes) functions.`,
  refreshAbandoned: (timeoutMs: number) => `refresh abandoned after ${timeoutMs} ms`,
  calledWithoutModule: (where: string) => `${where} was called with no CacheKitModule running; it runs uncached.`,
  calledOnUnownedInstance: (where: string, apps: number) =>
    `${where} was called on an instance no app owns while ${apps} apps run CacheKitModule; it runs uncached. Get the instance from the app's container.`,
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
