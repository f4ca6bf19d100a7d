import { INestApplicationContext, Logger, LoggerService } from '@nestjs/common';
import { ContextIdFactory } from '@nestjs/core';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { CacheKit, CacheKitModuleOptions } from '../../lib/index.js';
import {
  ExchangeRates,
  FROZEN_RATES,
  NULL_PROTOTYPE_SETTINGS,
  OddProvidersModule,
  PRICE_TABLE_ALIAS,
  PriceTable,
  frozenRatesLoads,
} from '../fixtures/odd-providers.fixture.js';
import { ReportLoads, ReportModule, ReportService } from '../fixtures/request-scoped.fixture.js';
import { GreetingModule, GreetingService } from '../fixtures/two-apps.fixture.js';
import { Thermometer } from '../fixtures/unbound-instance.fixture.js';
import { bootApp, uniqueNamespace } from '../support/app.js';

// Apps opened by a test; closed after it even when it fails, so no pipeline stays registered.
const open: INestApplicationContext[] = [];
async function boot(...args: Parameters<typeof bootApp>): Promise<INestApplicationContext> {
  const app = await bootApp(...args);
  open.push(app);
  return app;
}
afterEach(async () => {
  for (const app of open.splice(0).reverse()) await app.close();
});

const separateCaches: [string, () => [CacheKitModuleOptions, CacheKitModuleOptions]][] = [
  ['two memory stores', () => [{ namespace: 'shared' }, { namespace: 'shared' }]],
  [
    'one Redis, two namespaces',
    () => [
      { redis: inject('redisUrl'), namespace: uniqueNamespace() },
      { redis: inject('redisUrl'), namespace: uniqueNamespace() },
    ],
  ],
];

describe.each(separateCaches)('two apps in one process (%s)', (_, options) => {
  it("each app's instance uses its own cache, and one app outlives the other", async () => {
    const [optionsA, optionsB] = options();
    const appA = await boot(optionsA, { imports: [GreetingModule.forApp('A')] });
    const appB = await boot(optionsB, { imports: [GreetingModule.forApp('B')] });
    const a = appA.get(GreetingService);
    const b = appB.get(GreetingService);

    expect(await a.greet('ann')).toEqual({ text: 'hello ann from A', load: 1 });
    // Not a hit on A's value: B loads its own.
    expect(await b.greet('ann')).toEqual({ text: 'hello ann from B', load: 1 });
    expect(await a.greet('ann')).toEqual({ text: 'hello ann from A', load: 1 });
    expect(await b.greet('ann')).toEqual({ text: 'hello ann from B', load: 1 });
    expect([a.loads, b.loads]).toEqual([1, 1]);
    expect(appA.get(CacheKit).stats().greeting).toMatchObject({ hits: 1, misses: 1 });
    expect(appB.get(CacheKit).stats().greeting).toMatchObject({ hits: 1, misses: 1 });

    await appA.close();
    open.splice(open.indexOf(appA), 1);
    expect(await b.greet('ann')).toEqual({ text: 'hello ann from B', load: 1 });
    expect(await b.greet('bob')).toEqual({ text: 'hello bob from B', load: 2 });
    expect(await b.greet('bob')).toEqual({ text: 'hello bob from B', load: 2 });
    expect(b.loads).toBe(2);
  });
});

describe('a request-scoped provider', () => {
  it('has its calls cached when one app runs', async () => {
    const app = await boot({ namespace: uniqueNamespace() }, { imports: [ReportModule] });
    const first = await app.resolve(ReportService, ContextIdFactory.create());
    const second = await app.resolve(ReportService, ContextIdFactory.create());
    expect(first).not.toBe(second);
    expect(await first.build(2)).toEqual({ id: 2, rows: 6 });
    expect(await second.build(2)).toEqual({ id: 2, rows: 6 });
    expect(await first.build(2)).toEqual({ id: 2, rows: 6 });
    expect(app.get(ReportLoads).count).toBe(1);
  });

  it('still returns correct values when two apps run and it cannot tell which one owns it', async () => {
    const app = await boot({ namespace: uniqueNamespace() }, { imports: [ReportModule] });
    await boot({ namespace: uniqueNamespace() }, { imports: [GreetingModule.forApp('other')] });
    const report = await app.resolve(ReportService, ContextIdFactory.create());
    expect(await report.build(3)).toEqual({ id: 3, rows: 9 });
    expect(await report.build(3)).toEqual({ id: 3, rows: 9 });
  });
});

describe('providers that are not plain class instances', () => {
  it('boots with a useExisting alias, a null-prototype value and a frozen instance, and caches through them', async () => {
    const app = await boot({ namespace: uniqueNamespace() }, { imports: [OddProvidersModule] });
    const table = app.get(PriceTable);
    expect(app.get(PRICE_TABLE_ALIAS)).toBe(table);
    await app.get<PriceTable>(PRICE_TABLE_ALIAS).price('lamp');
    await table.price('lamp');
    expect(table.loads).toBe(1);

    const settings = app.get<Record<string, unknown>>(NULL_PROTOTYPE_SETTINGS);
    expect(Object.getPrototypeOf(settings)).toBeNull();
    expect(Reflect.ownKeys(settings)).toEqual(['region']); // left untouched

    const rates = app.get<ExchangeRates>(FROZEN_RATES);
    expect(await rates.rate('USD')).toBe(1.1);
    expect(await rates.rate('USD')).toBe(1.1);
    expect(frozenRatesLoads.count).toBe(1);
  });
});

/** Keeps what Nest loggers write, to count warnings. */
class RecordingLogger implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
}

describe('an instance created with new', () => {
  it('runs uncached with no app running, returns the right values, and warns once', async () => {
    const previous = (Logger as unknown as { staticInstanceRef: LoggerService }).staticInstanceRef;
    const logger = new RecordingLogger();
    Logger.overrideLogger(logger);
    try {
      const thermometer = new Thermometer();
      expect(await thermometer.read('Oslo')).toEqual({ city: 'Oslo', celsius: 4 });
      expect(await thermometer.read('Oslo')).toEqual({ city: 'Oslo', celsius: 4 });
      expect(await new Thermometer().read('Rome')).toEqual({ city: 'Rome', celsius: 4 });
      expect(thermometer.reads).toBe(2);
      const warnings = logger.warnings.filter((text) => text.includes('Thermometer#read'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/no CacheKitModule running/);
    } finally {
      Logger.overrideLogger(previous);
    }
  });
});
