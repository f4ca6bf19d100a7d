import { DeadlineExceeded } from './deadline-watch.js';

// Redis error replies start with their code; these say something about the store's health.
const REPLY_CODES = new Set([
  'READONLY',
  'OOM',
  'NOAUTH',
  'WRONGPASS',
  'NOPERM',
  'LOADING',
  'MASTERDOWN',
  'CLUSTERDOWN',
  'BUSY',
  'TRYAGAIN',
  'CROSSSLOT',
  'MISCONF',
]);
const CONNECTION =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|Connection is closed|Stream isn't writeable|connection/i;

/** Why a store call failed: a Redis error code ('READONLY', 'OOM', ...), 'TIMEOUT', 'CONNECTION' or 'ERROR'. */
export type StoreFailureCause = string;

/** One failed store call, as reported to events and stats. */
export interface StoreFailure {
  operation: string;
  /** Reads and writes are judged apart: a store that reads but cannot evict is not healthy. */
  direction: 'read' | 'write';
  cause: StoreFailureCause;
  message: string;
}

/** Names the cause of a store error, for events, stats and logs. */
export function causeOf(error: unknown): StoreFailureCause {
  if (error instanceof DeadlineExceeded) return 'TIMEOUT';
  const message = error instanceof Error ? error.message : String(error);
  const code = /^[A-Z]+/.exec(message)?.[0];
  if (code && REPLY_CODES.has(code)) return code;
  if (CONNECTION.test(message)) return 'CONNECTION';
  return 'ERROR';
}
