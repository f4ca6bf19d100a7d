// Every text the sample answers a bad request or a bad start with: what was wrong, where, what to do.

/** A value as a message quotes it: strings in quotes, anything else as JSON, long ones cut. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** `id must be an integer from 1 to 2147483647 in plain decimal digits, such as 12; got '0x10'`. */
export const notAPositiveInteger = (name: string, max: number, value: unknown) =>
  `${name} must be an integer from 1 to ${max} in plain decimal digits, such as 12; got ${shown(value)}`;

/** A field that must be a finite number (class-validator's own text adds "conforming to the specified constraints"). */
export const notANumber = (name: string) => `${name} must be a number`;

/** A PATCH field sent as null: the columns are NOT NULL, and leaving the field out is how to keep it. */
export const nullField = (name: string) => `${name} must not be null: leave it out to keep the current value`;

/** A number with more decimals than its column keeps (which would round it silently). */
export const tooManyDecimals = (name: string, places: number) => `${name} must have at most ${places} decimal places`;

/** A name with a character that does not belong in one line of text (NUL breaks PostgreSQL). */
export const notPrintable = (name: string) =>
  `${name} must be one line of printable text: no control characters (NUL, tab, line break) or lone surrogates`;

/** PORT is not a TCP port number. */
export const badPort = (value: string) =>
  `PORT must be a TCP port number from 0 to 65535 (0 picks a free one; unset: 3000); got '${value}'`;

/** The port is taken by another process. */
export const portInUse = (port: number) =>
  `Port ${port} is already in use: stop the process listening on it, or start on another one with PORT (PORT=0 picks a free one)`;

/** The port needs privileges this user lacks. */
export const portNotAllowed = (port: number) =>
  `Port ${port} needs privileges this user does not have: start on a port above 1023 with PORT`;

/** DATABASE_URL names a database the sample has no driver for. */
export const badDatabaseUrl = (url: string) =>
  `DATABASE_URL must be a postgres:// or postgresql:// URL (unset: SQLite in ./catalogue.sqlite); got '${scheme(url)}'`;

/** REDIS_URL is not a Redis URL. */
export const badRedisUrl = (url: string) =>
  `REDIS_URL must be a redis:// or rediss:// URL such as redis://localhost:6379 (unset: the in-memory cache); got '${scheme(url)}'`;

/** A variable holding milliseconds is not a whole number. */
export const badMilliseconds = (name: string, value: string) =>
  `${name} must be a whole number of milliseconds; got '${value}'`;

/** A variable holding a duration is not one. */
export const badDuration = (name: string, value: string) =>
  `${name} must be a duration such as '500ms', '30s' or '5m' (or milliseconds); got '${value}'`;

/** Any other failure to start; Nest has logged the details above it. */
export const didNotStart = (reason: string) => `The catalogue did not start: ${reason}`;

// A URL is quoted by its scheme only: the rest may hold a password.
function scheme(url: string): string {
  const colon = url.indexOf(':');
  return colon < 0 ? `${url.slice(0, 20)}...` : `${url.slice(0, colon)}:...`;
}
