import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/**
 * A Lua script run with EVALSHA, falling back to EVAL once when the server does not know it
 * (after a restart or on a new cluster node). Every key a script touches is passed in KEYS and
 * shares one hash tag, so scripts are cluster-safe.
 */
export class LuaScript {
  readonly #sha: string;

  constructor(private readonly source: string) {
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: Redis | Cluster, keys: string[], args: (string | number | Buffer)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

// Entry layout: a hash { d: payload, v: version }. An invalidated entry keeps only `v` (the
// fence) for a short while; once it expires, a late fill finds no version and is refused, unless
// it still holds the entry's lease `{entry}:lease`: every invalidation deletes that lease, and a
// restart loses it, so a held lease proves that only expiry removed the entry.

/**
 * KEYS[1] entry; ARGV[1] new version, ARGV[2] fence ttl. Returns the entry's version. A foreign
 * value under our key (not a hash) is replaced, so it reads as a miss and is overwritten.
 */
export const BEGIN = new LuaScript(`
local kind = redis.call('TYPE', KEYS[1]).ok
if kind ~= 'hash' and kind ~= 'none' then redis.call('DEL', KEYS[1]) end
local v = redis.call('HGET', KEYS[1], 'v')
if v then return v end
redis.call('HSET', KEYS[1], 'v', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return ARGV[1]`);

/**
 * KEYS[1] entry, KEYS[2] (optional) the lease the load holds; ARGV[1] expected version, ARGV[2]
 * payload, ARGV[3] ttl, ARGV[4] lease token. Returns 1 when stored.
 */
export const FILL = new LuaScript(`
local v = redis.call('HGET', KEYS[1], 'v')
if v ~= ARGV[1] then
  if v or not KEYS[2] or redis.call('GET', KEYS[2]) ~= ARGV[4] then return 0 end
end
redis.call('HSET', KEYS[1], 'd', ARGV[2], 'v', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`);

/** KEYS[1] entry; ARGV[1] new version, ARGV[2] payload, ARGV[3] ttl. */
export const PUT = new LuaScript(`
redis.call('HSET', KEYS[1], 'd', ARGV[2], 'v', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`);

/**
 * KEYS[1] entry, KEYS[2] its lease; ARGV[1] new version, ARGV[2] fence ttl. Returns 1 when a value
 * was deleted. The lease goes too: a load that held it can no longer store, and the next caller loads.
 */
export const INVALIDATE = new LuaScript(`
redis.call('DEL', KEYS[2])
local deleted = redis.call('HDEL', KEYS[1], 'd')
redis.call('HSET', KEYS[1], 'v', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return deleted`);

/** KEYS[1] lease; ARGV[1] owner token, ARGV[2] hold ms (0: delete). Only the owner may touch it. */
export const RELEASE_LEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('DEL', KEYS[1])`);
