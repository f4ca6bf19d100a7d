// The catalogue app of the TypeORM tests, re-exported for the dirty-transaction spec.
export { bootCatalogApp } from '../support/typeorm-app.js';
export type { CatalogApp, Driver } from '../support/typeorm-app.js';
export { uniqueNamespace } from '../support/app.js';
