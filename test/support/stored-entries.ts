import { Redis } from 'ioredis';
import { parseStoredEntry, storedEntry } from '../../lib/stores/stored-entry.js';

/** The payload (the envelope) of the entry under `key`, as the module reads it; undefined for none. */
export async function storedPayload(redis: Redis, key: string): Promise<Buffer | undefined> {
  return parseStoredEntry(await redis.getBuffer(key)).payload;
}

/** An entry holding `payload` as the module stores it (with version `version`), for tests that plant entries. */
export function plantedEntry(payload: Uint8Array, version = 'test.1'): Buffer {
  return storedEntry(version, undefined, payload);
}

/** Leaves only the version under `key` (its payload gone, as while a load runs), telling no instance. */
export async function dropPayload(redis: Redis, key: string): Promise<void> {
  const raw = await redis.getBuffer(key);
  if (!raw) return;
  await redis.set(key, raw.subarray(0, raw.indexOf(' ')), 'KEEPTTL');
}
