import { createRequire } from 'node:module';
import type { Gauge, Registry } from 'prom-client';
import type { CacheKitCdc } from './cachekit-cdc.service.js';

const require = createRequire(import.meta.url);

/**
 * Registers the consumer's lag, state and counters as prom-client gauges on `registry`, read from
 * `cdc.stats()` at scrape time; returns a function that removes them. prom-client is loaded here
 * only, so the subpath works without it.
 * @example const remove = registerCdcMetrics(app.get(CacheKitCdc), register); // cachekit_cdc_lag_seconds
 */
export function registerCdcMetrics(cdc: CacheKitCdc, registry: Registry, prefix = 'cachekit_'): () => void {
  const { Gauge: GaugeClass } = require('prom-client') as { Gauge: typeof Gauge };
  const gauge = (name: string, help: string, read: () => number | undefined) =>
    new GaugeClass({
      name: `${prefix}${name}`,
      help,
      registers: [registry],
      collect() {
        const value = read();
        if (value !== undefined) this.set(value);
      },
    });
  const names = [
    gauge(
      'cdc_lag_seconds',
      'Seconds from the COMMIT of the last evicted transaction to its confirmed eviction.',
      () => {
        const lag = cdc.stats().lagMs;
        return lag === undefined ? undefined : lag / 1000;
      },
    ),
    gauge('cdc_active', '1 while this instance holds the replication slot, 0 on standby.', () =>
      cdc.stats().state === 'active' ? 1 : 0,
    ),
    gauge(
      'cdc_transactions',
      'Replicated transactions evicted and acknowledged by this instance.',
      () => cdc.stats().transactions,
    ),
    gauge('cdc_rows', 'Replicated row changes seen by this instance.', () => cdc.stats().rows),
  ].map((metric) => (metric as unknown as { name: string }).name);
  return () => names.forEach((name) => registry.removeSingleMetric(name));
}
