import type { CacheKitCdc } from './cachekit-cdc.service.js';

/** What a gauge's `collect()` sees (prom-client's Gauge). */
export interface CollectedGauge {
  set(value: number): void;
}

/** prom-client's `Gauge` class, passed in so this subpath never loads prom-client itself. */
export type GaugeClass = new (configuration: {
  name: string;
  help: string;
  registers: any[];
  collect(this: CollectedGauge): void;
}) => unknown;

/** Where the gauges go: a prom-client Registry. */
export interface MetricsRegistry {
  removeSingleMetric(name: string): void;
}

/**
 * Registers the consumer's lag, state and counters as gauges, read from `cdc.stats()` at scrape
 * time; returns a function that removes them. Pass prom-client's `Gauge` and a registry.
 * @example registerCdcMetrics(app.get(CacheKitCdc), { Gauge, registry: register }); // Gauge and register of prom-client
 */
export function registerCdcMetrics(
  cdc: CacheKitCdc,
  { Gauge, registry, prefix = 'cachekit_' }: { Gauge: GaugeClass; registry: MetricsRegistry; prefix?: string },
): () => void {
  const names: string[] = [];
  const gauge = (name: string, help: string, read: () => number | undefined) => {
    names.push(`${prefix}${name}`);
    new Gauge({
      name: `${prefix}${name}`,
      help,
      registers: [registry],
      collect() {
        const value = read();
        if (value !== undefined) this.set(value);
      },
    });
  };
  gauge('cdc_lag_seconds', 'Seconds from the COMMIT of the last evicted transaction to its confirmed eviction.', () => {
    const lag = cdc.stats().lagMs;
    return lag === undefined ? undefined : lag / 1000;
  });
  gauge('cdc_active', '1 while this instance holds the replication slot, 0 on standby.', () =>
    cdc.stats().state === 'active' ? 1 : 0,
  );
  gauge(
    'cdc_transactions',
    'Replicated transactions evicted and acknowledged by this instance.',
    () => cdc.stats().transactions,
  );
  gauge('cdc_rows', 'Replicated row changes seen by this instance.', () => cdc.stats().rows);
  return () => names.forEach((name) => registry.removeSingleMetric(name));
}
