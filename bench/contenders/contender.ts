import type { JsonValue } from '../support/value.js';

export type Loader = () => Promise<JsonValue>;

/** Which table a contender belongs in: where its hits are served from. */
export type Tier = 'redis' | 'memory';

/** One cache under test, reduced to the operation every scenario needs. */
export interface Contender {
  name: string;
  tier: Tier;
  /** The row every ratio in its table is computed against. */
  floor?: boolean;
  /** Floors only measure a hit; they are left out of the stampede. */
  hitOnly?: boolean;
  /** Entries live in Redis (possibly behind an in-process tier), so processes share them. Default: tier is 'redis'. */
  sharedViaRedis?: boolean;
  /** Set when the contender cannot run here; its rows print "n/a" with this reason. */
  unavailable?: string;
  /** Cache-aside read: the cached value for `key`, or `load()`'s result, stored under `key`. */
  getOrLoad(key: string, load: Loader): Promise<unknown>;
}

/** A set of contenders sharing connections and apps, closed together. */
export interface ContenderGroup {
  contenders: Contender[];
  close(): Promise<void>;
}

export function unavailable(name: string, tier: Tier, reason: string): Contender {
  return {
    name,
    tier,
    unavailable: reason,
    getOrLoad: () => Promise.reject(new Error(`${name}: ${reason}`)),
  };
}
