import { CacheKitError } from '../errors/cachekit.errors.js';

/** A command line the CLI cannot run (bad argument, unreachable Redis). @example cachekit inspect 'bad name' 7 */
export class CacheKitCliError extends CacheKitError {
  constructor(message: string) {
    super('CACHEKIT_CLI', message);
  }
}
