export { CacheKitDashboardModule } from './cachekit-dashboard.module.js';
export type { CacheKitDashboardModuleOptions, DashboardGuard } from './dashboard.options.js';
export type { DashboardSample, DashboardEviction } from './dashboard-sampler.js';
export { CacheKitDashboardError } from './dashboard.errors.js';
