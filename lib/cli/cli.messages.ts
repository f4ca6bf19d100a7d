// Every user-facing message of the operator CLI, as functions (as lib/errors/messages.ts is for the core).
export const cliMessages = {
  invalidNamespace: (got: string) =>
    `--namespace must be 1 to 32 letters, digits, '_', '-' or '.' (the module's 'namespace' option), got ${JSON.stringify(got)}.`,
  invalidCacheName: (got: string) =>
    `<cache> must be a cache name as defined (letters, digits, '_', '-', '.', at most 64), got ${JSON.stringify(got)}.`,
  invalidKeyJson: (got: string, cause: string) =>
    `<key json> must be JSON of what the key function returns (e.g. 7, '"sku-1"', '[7,"en"]'): ${cause}; got ${got}.`,
  invalidArgsJson: (got: string) =>
    `--args must be a JSON array of the method's arguments (for a definition without a key function), got ${got}.`,
  invalidPositive: (option: string, got: string) => `${option} must be a positive integer, got ${JSON.stringify(got)}.`,
  invalidRedis: (got: string) =>
    `--redis must be a redis:// or rediss:// URL (or set REDIS_URL), got ${JSON.stringify(got)}.`,
  unreachable: (where: string, cause: string) =>
    `Could not reach Redis at ${where} (${cause}). Check --redis / --cluster and that the server runs.`,
  noBeacons: (namespace: string) =>
    `No running instance publishes stats in namespace '${namespace}'. Turn on the beacon in the app: ` +
    `CacheKitModule.forRoot({ statsBeacon: true, ... }), and check --namespace.`,
  noReport: () =>
    `These instances run a version without CacheKit.report(): showing their counters instead of verdicts.`,
  notFound: (key: string) => `No entry under ${key} (a miss: never stored, expired, or evicted).`,
  foreignEntry: (key: string) =>
    `The value under ${key} was not written by nestjs-cachekit (or is corrupt): it reads as a miss.`,
};
