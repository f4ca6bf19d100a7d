import type { CanActivate, Type } from '@nestjs/common';
import { Duration, parseDuration } from '../definitions/duration.js';
import { CacheKitDashboardError } from './dashboard.errors.js';
import { dashboardMessages } from './dashboard.messages.js';

/** Who may see the page: a Nest guard (class or instance), a predicate on the request, or 'none'. */
export type DashboardGuard =
  Type<CanActivate> | CanActivate | ((request: unknown) => boolean | Promise<boolean>) | 'none';

/** Options of `CacheKitDashboardModule.forRoot`. */
export interface CacheKitDashboardModuleOptions {
  /** Mount the page at all. Default: `false` (no route exists). */
  enabled?: boolean;
  /** Where the page lives. Default: `'/cachekit'`. */
  path?: string;
  /**
   * Who may see it. Default: none, which is refused at boot under NODE_ENV=production: there the
   * page needs a guard, or `'none'` to say a proxy in front already restricts it.
   */
  guard?: DashboardGuard;
  /** How often a sample of the stats is taken and pushed to open pages. Default: `'1s'`. */
  sampleInterval?: Duration;
  /**
   * How often the "does it pay" verdicts are refreshed from `CacheKit.report()`, which samples the
   * store (SCAN, `MEMORY USAGE`): keep it well above `sampleInterval`. Default: `'10s'` (at least 1 s).
   */
  reportInterval?: Duration;
  /** Samples kept for the charts of a page opened later. Default: `300` (5 minutes at 1 s). */
  history?: number;
  /** Show evicted keys as they are; otherwise a short hash (keys can hold personal data). Default: `false`. */
  showKeys?: boolean;
}

/** The options with their defaults, checked. */
export interface ResolvedDashboardOptions {
  enabled: boolean;
  path: string;
  guard?: Exclude<DashboardGuard, 'none'>;
  sampleIntervalMs: number;
  reportIntervalMs: number;
  history: number;
  showKeys: boolean;
}

const PATH = /^\/[A-Za-z0-9/_.-]*$/;

/** Checks the options, applies defaults and the production rule. */
export function resolveDashboardOptions(
  options: CacheKitDashboardModuleOptions,
  env: string | undefined = process.env.NODE_ENV,
): ResolvedDashboardOptions {
  const { enabled = false, path = '/cachekit', guard, history = 300, showKeys = false } = options;
  if (typeof path !== 'string' || !PATH.test(path))
    throw new CacheKitDashboardError(dashboardMessages.invalidPath(path));
  if (
    guard !== undefined &&
    guard !== 'none' &&
    typeof guard !== 'function' &&
    typeof (guard as CanActivate).canActivate !== 'function'
  )
    throw new CacheKitDashboardError(dashboardMessages.invalidGuard());
  if (enabled && env === 'production' && guard === undefined)
    throw new CacheKitDashboardError(dashboardMessages.unguardedInProduction());
  if (!Number.isInteger(history) || history < 10 || history > 3_600)
    throw new CacheKitDashboardError(dashboardMessages.invalidHistory(history));
  let sampleIntervalMs: number;
  try {
    sampleIntervalMs = parseDuration(options.sampleInterval ?? '1s', `CacheKitDashboardModule option 'sampleInterval'`);
  } catch {
    throw new CacheKitDashboardError(dashboardMessages.invalidInterval(options.sampleInterval));
  }
  if (sampleIntervalMs < 100)
    throw new CacheKitDashboardError(dashboardMessages.invalidInterval(options.sampleInterval));
  let reportIntervalMs: number;
  try {
    reportIntervalMs = parseDuration(
      options.reportInterval ?? '10s',
      `CacheKitDashboardModule option 'reportInterval'`,
    );
  } catch {
    throw new CacheKitDashboardError(dashboardMessages.invalidReportInterval(options.reportInterval));
  }
  if (reportIntervalMs < 1_000)
    throw new CacheKitDashboardError(dashboardMessages.invalidReportInterval(options.reportInterval));
  return {
    enabled: enabled === true,
    path: path.length > 1 ? path.replace(/\/+$/, '') : path,
    ...(guard === undefined || guard === 'none' ? {} : { guard }),
    sampleIntervalMs,
    reportIntervalMs,
    history,
    showKeys: showKeys === true,
  };
}
