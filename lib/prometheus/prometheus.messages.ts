// Every user-facing message of the Prometheus subpath, as functions (as lib/errors/messages.ts is for the core).
export const prometheusMessages = {
  metricAlreadyRegistered: (name: string) =>
    `CacheKitPrometheusModule: the metric '${name}' is already registered on this registry ` +
    `(a second CacheKitPrometheusModule on the same registry, or another library's metric). ` +
    `Give each app its own registry, or a different 'prefix'.`,
  invalidPrefix: (got: unknown) =>
    `CacheKitPrometheusModule option 'prefix' must be a valid Prometheus metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*), got ${JSON.stringify(got)}.`,
  invalidBuckets: (option: string, got: unknown) =>
    `CacheKitPrometheusModule option '${option}' must be a non-empty list of finite numbers (seconds) in increasing order, got ${JSON.stringify(got)}.`,
  needsFactory: (got: unknown) =>
    `CacheKitPrometheusModule.forRootAsync needs a 'useFactory' function that returns the options, got ${typeof got}. ` +
    `Example: forRootAsync({ useFactory: (registry: Registry) => ({ registry }), inject: [Registry] }).`,
};
