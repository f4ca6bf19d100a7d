/** Token of the validated options (defaults applied). */
export const CACHEKIT_OPTIONS = Symbol('nestjs-cachekit.options');
