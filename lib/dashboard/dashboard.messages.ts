// Every user-facing message of the dashboard subpath, as functions (as lib/errors/messages.ts is for the core).
export const dashboardMessages = {
  unguardedInProduction: () =>
    `CacheKitDashboardModule: enabled with NODE_ENV=production and no 'guard'. The page shows cache names, ` +
    `keys' hashes and the store's state: give it a guard (a CanActivate, or (request) => boolean), ` +
    `or pass guard: 'none' if a proxy in front already restricts the path.`,
  invalidPath: (got: unknown) =>
    `CacheKitDashboardModule option 'path' must start with '/' and hold only letters, digits, '/', '_', '-' or '.', got ${JSON.stringify(got)}.`,
  invalidGuard: () =>
    `CacheKitDashboardModule option 'guard' must be a CanActivate class or instance, a function (request) => boolean | Promise<boolean>, or 'none'.`,
  invalidInterval: (got: unknown) =>
    `CacheKitDashboardModule option 'sampleInterval' must be a duration of at least 100 ms ('1s', 500), got ${JSON.stringify(got)}.`,
  invalidReportInterval: (got: unknown) =>
    `CacheKitDashboardModule option 'reportInterval' must be a duration of at least 1 s ('10s', 5000): each refresh samples the store, got ${JSON.stringify(got)}.`,
  invalidHistory: (got: unknown) =>
    `CacheKitDashboardModule option 'history' must be an integer from 10 to 3600 (samples kept), got ${JSON.stringify(got)}.`,
};
