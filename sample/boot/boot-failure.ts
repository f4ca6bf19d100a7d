import { CatalogueConfigError } from '../config.error.js';
import { didNotStart, portInUse, portNotAllowed } from '../sample.messages.js';

/**
 * The one line `npm start` exits with when the catalogue cannot start: a bad variable or a port
 * it cannot listen on says what to do; another failure with a system or driver code (a database
 * that refuses the connection) its reason, Nest having logged the details. Anything else is a bug,
 * and its stack is what helps.
 * @example bootstrap().catch((error) => { console.error(bootFailure(error)); process.exit(1); })
 */
export function bootFailure(error: unknown): string {
  if (error instanceof CatalogueConfigError) return error.message;
  const { code, port } = (error ?? {}) as { code?: unknown; port?: unknown };
  if (code === 'EADDRINUSE' && typeof port === 'number') return portInUse(port);
  if (code === 'EACCES' && typeof port === 'number') return portNotAllowed(port);
  if (!(error instanceof Error)) return didNotStart(String(error));
  return typeof code === 'string' ? didNotStart(error.message) : (error.stack ?? error.message);
}
