// Every user-facing message of the terminus subpath, as functions (as lib/errors/messages.ts is for the core).
export const terminusMessages = {
  invalidTimeout: (got: unknown) =>
    `CacheKitHealthModule option 'timeoutMs' must be a positive number of milliseconds (below your probe's timeout), got ${JSON.stringify(got)}.`,
  invalidWhenStoreDown: (got: unknown) =>
    `CacheKitHealthModule option 'whenStoreDown' must be 'degraded', 'down' or 'up', got ${JSON.stringify(got)}. ` +
    `The cache fails open, so 'degraded' (the default) keeps the pod in rotation.`,
  invalidKey: (got: unknown) =>
    `CacheKitHealthModule option 'key' must be a non-empty string (the name under which the result is shown), got ${JSON.stringify(got)}.`,
  unreachable: (timeoutMs: number) => `the store did not answer PING within ${timeoutMs} ms`,
  breakerOpen: (direction: string) => `the ${direction} breaker is open: calls skip the store until it recovers`,
};
