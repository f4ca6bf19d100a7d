/**
 * A bad environment variable. Its message names the variable, the accepted form and what was
 * found; `npm start` prints it as the one line it exits with.
 * @example throw new CatalogueConfigError(badPort('abc'))
 */
export class CatalogueConfigError extends Error {
  readonly code = 'CATALOGUE_CONFIG';
  override readonly name = 'CatalogueConfigError';
}
