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

  /** Sends SCRIPT LOAD to every master, so the first EVALSHA of this script finds it. */
  async load(client: Redis | Cluster): Promise<void> {
    const nodes = 'nodes' in client ? client.nodes('master') : [client];
    await Promise.all(nodes.map((node) => node.script('LOAD', this.source)));
  }
}

// Entry layout (stored-entry.ts): one string `<version> <n>\n<value tags><payload>`, or only
// `<version>` while a load that began has not stored. A fill must find the version its load began
// with; a fill finding no version at all is refused unless it still holds the entry's lease
// `{entry}:lease`. Invalidation deletes the entry and its lease (a plain DEL, so it also works when
// Redis refuses writes for lack of memory): a load that began before can then never store, since
// the next version is new and the lease is gone; a restart loses the lease too, so a held lease
// proves that only expiry removed the entry.

// A version is `<process id>.<counter>` (see version-nonce.ts). Anything else under a version or
// tag key was not written by us (or was corrupted): it is replaced, never compared, because a
// client that decodes it as text could not send the same bytes back.
const VALID_VERSION = `
local function valid(v) return v and string.find(v, '^[%w_%-]+%.%w+$') ~= nil end`;

// The version at the head of an entry (only the head is read: the payload stays in Redis), or nil
// when the key holds no entry of ours: none, another type (a hash of the older layout included) or
// a string that does not start with a version.
const ENTRY_VERSION = `
local function entry_version(key)
  if redis.call('TYPE', key).ok ~= 'string' then return nil end
  local v, rest = string.match(redis.call('GETRANGE', key, 0, 64), '^([%w_%-]+%.%w+)(.?)')
  if v and (rest == '' or rest == ' ') then return v end
  return nil
end`;

// The server's clock in ms: fills and tag evictions are ordered by it (see VALUE_TAG_VERSION).
const NOW_MS = `
local function now_ms() local t = redis.call('TIME') return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end`;

// KEYS[1] entry; ARGV[v] new version, ARGV[t] fence ttl: the entry's version, created when missing
// (SET replaces whatever not ours was under the key), and the server's time, which orders the load
// after the tag evictions made before it.
const beginBody = (v: number, t: number) => `
local v = entry_version(KEYS[1])
if v then return { v, now_ms() } end
redis.call('SET', KEYS[1], ARGV[${v}], 'PX', ARGV[${t}])
return { ARGV[${v}], now_ms() }`;

/**
 * KEYS[1] entry; ARGV[1] new version, ARGV[2] fence ttl. Returns the entry's version and the
 * server's time in ms. A foreign value under our key (not a string starting with a version of
 * ours) is replaced, so it reads as a miss and is overwritten by the next fill.
 */
export const BEGIN = new LuaScript(`${ENTRY_VERSION}${NOW_MS}${beginBody(1, 2)}`);

/**
 * KEYS[1] entry, KEYS[2] its lease, KEYS[3] its waiters flag; ARGV[1] token, ARGV[2] lease ttl,
 * ARGV[3] new version, ARGV[4] fence ttl. Takes the lease and, only then, the entry's version as
 * BEGIN does (one round trip where two were sent one after the other). Returns what BEGIN does, or
 * nil when another load holds the lease: then flags that someone waits for its fill (see FILL).
 * The version is never created for a waiter: a lease holder whose entry expired may still fill.
 */
export const LEASE_BEGIN = new LuaScript(`${ENTRY_VERSION}${NOW_MS}
if not redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2], 'NX') then
  redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
  return false
end${beginBody(3, 4)}`);

// A tag's life is only ever extended, to at least `life` ms (the longest entry that may carry it).
const EXTEND_LIFE = `
local function extend_life(key, life)
  local ttl = redis.call('PTTL', key)
  if ttl >= 0 and ttl < life then redis.call('PEXPIRE', key, life) end
end`;

const tagVersionBody = `${EXTEND_LIFE}
local v = redis.call('GET', KEYS[1])
if not valid(v) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
end
extend_life(KEYS[1], tonumber(ARGV[2]))
return v`;

/**
 * KEYS[1] tag (or cache-name generation); ARGV[1] new version, ARGV[2] how long it must live at
 * least (the longest entry that may carry it). Returns its version, created when missing or not
 * ours; its life is only ever extended, so it lives as long as the longest entry carrying it.
 */
export const TAG_VERSION = new LuaScript(`${VALID_VERSION}${tagVersionBody}`);

/**
 * KEYS[1] a tag taken from a loaded value, KEYS[2] its eviction mark (see EVICT_TAG); ARGV as
 * TAG_VERSION's, then ARGV[3] the time (ms, server clock) from which an eviction fences the load.
 * Returns nil when the tag was evicted at or after that time (its version then could not have been
 * snapshotted before the load), else its version as TAG_VERSION does.
 */
export const VALUE_TAG_VERSION = new LuaScript(`${VALID_VERSION}
local evicted = tonumber(redis.call('GET', KEYS[2]) or '')
if evicted and evicted >= tonumber(ARGV[3]) then return false end${tagVersionBody}`);

/**
 * KEYS[1] tag (or cache-name generation), KEYS[2] its eviction mark; ARGV[1] how long the mark
 * lives (longer than any load). Deletes the version first (DEL is allowed even when Redis refuses
 * writes for memory: then the mark fails, the eviction reports the error and is retried), then
 * records when, so a load that began before and learns the tag only from its value is fenced too.
 * Returns 1 when the tag had a version.
 */
export const EVICT_TAG = new LuaScript(`${NOW_MS}
local deleted = redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], now_ms(), 'PX', ARGV[1])
return deleted`);

/** How long a tag eviction's time is kept when a tool outside the app evicts (the app's fence lives as long). */
export const EVICTION_MARK_TTL_MS = 60_000;

/**
 * KEYS[1] entry, KEYS[2] its lease, KEYS[3] its waiters flag; ARGV[1] expected version, ARGV[2]
 * the entry (`storedEntry` with that version), ARGV[3] ttl, ARGV[4] the token of the lease the load
 * holds ('' for none), ARGV[5] the fill channel ('' for none). Returns 1 when stored. The lease, if
 * still the load's, is given back either way (no release of its own to send). A fill that
 * instances waited for (they set the flag when they found the lease taken, see LEASE_BEGIN) is
 * announced on the channel, so they need not poll for it.
 */
export const FILL = new LuaScript(`${ENTRY_VERSION}
local v = entry_version(KEYS[1])
local held = ARGV[4] ~= '' and redis.call('GET', KEYS[2]) == ARGV[4]
if held then redis.call('DEL', KEYS[2]) end
if v ~= ARGV[1] and (v or not held) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if ARGV[5] ~= '' and redis.call('DEL', KEYS[3]) == 1 then redis.call('PUBLISH', ARGV[5], KEYS[1]) end
return 1`);

/**
 * KEYS[1] entry, KEYS[2..] its tags; ARGV[1] the entry (`storedEntry` with a new version), ARGV[2]
 * ttl, ARGV[3] how long the tags must live at least (as TAG_VERSION's), ARGV[4..] the versions the
 * payload records for the tags. Stores the entry only if every tag still has that version,
 * extending its life as TAG_VERSION would; returns 0, writing nothing, when one differs or is
 * missing (the caller then takes the versions anew). Standalone only: the tags live in other slots.
 */
export const PUT_CHECKED = new LuaScript(`${EXTEND_LIFE}
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) ~= ARGV[i + 2] then return 0 end
end
for i = 2, #KEYS do extend_life(KEYS[i], tonumber(ARGV[3])) end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`);

/** KEYS[1] lease; ARGV[1] owner token, ARGV[2] hold ms (0: delete). Only the owner may touch it. */
export const RELEASE_LEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('DEL', KEYS[1])`);

/**
 * Every script, loaded into Redis on each (re)connection: a fill nobody waits for must not meet
 * NOSCRIPT, whose EVAL retry would reach Redis after the caller's next read of the entry.
 */
export async function loadScripts(client: Redis | Cluster): Promise<void> {
  await Promise.all(
    [BEGIN, LEASE_BEGIN, TAG_VERSION, VALUE_TAG_VERSION, EVICT_TAG, FILL, PUT_CHECKED, RELEASE_LEASE].map((s) =>
      s.load(client),
    ),
  );
}
