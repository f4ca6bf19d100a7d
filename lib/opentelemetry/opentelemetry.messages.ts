// Every user-facing message of the OpenTelemetry subpath, as functions (as lib/errors/messages.ts is for the core).
export const openTelemetryMessages = {
  invalidTracerName: (got: unknown) =>
    `CacheKitOpenTelemetryModule option 'tracerName' must be a non-empty string, got ${JSON.stringify(got)}.`,
  invalidSalt: (got: unknown) =>
    `CacheKitOpenTelemetryModule option 'keyHashSalt' must be a string (keep it secret; the same on every instance), got ${typeof got}.`,
  invalidTracer: () =>
    `CacheKitOpenTelemetryModule option 'tracer' must be an OpenTelemetry Tracer (an object with startSpan), ` +
    `e.g. trace.getTracer('my-app'); leave it out to use the global tracer provider.`,
};
