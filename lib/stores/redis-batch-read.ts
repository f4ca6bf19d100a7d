import { Cluster, Redis } from 'ioredis';
import { NO_TAGS } from '../keys/key-layout.js';
import { StoredRead } from './entry-store.interface.js';
import { groupByNode } from './cluster-slots.js';
import { StoredParts, foreignIsMiss, parseStoredEntry } from './stored-entry.js';
import { ReadAnswer } from './read-answer.js';

/** One entry of a multi-key read: its key and the store keys of its tags. */
export interface EntryRead {
  key: string;
  tags: readonly string[];
}

/**
 * Reads many entries and their tags' versions at once. A tag shared by the entries (a cache name's
 * generation always is) is read once. Standalone: one MGET of the entries and the tags, one round
 * trip. Cluster: the entries and tags live in slots of their own, so the GETs are grouped by the
 * master serving their slot, one pipeline per node, all sent at once. A value under an entry key
 * that is not ours (not one of our strings) is no payload.
 * Tags that entries' values added are known only from the entries: one more round trip reads
 * them, only when some entry has any.
 * @example await readMany(client, [{ key: '{shop:product:#1}', tags: ['{shop:~name:product}'] }])
 */
export async function readMany(client: Redis | Cluster, reads: readonly EntryRead[]): Promise<StoredRead[]> {
  if (reads.length === 0) return [];
  const tagIndex = new Map<string, number>();
  for (const read of reads) for (const tag of read.tags) if (!tagIndex.has(tag)) tagIndex.set(tag, tagIndex.size);
  const tags = [...tagIndex.keys()];
  const [entries, versions] =
    client instanceof Cluster ? await clusterRead(client, reads, tags) : await standaloneRead(client, reads, tags);
  const valueTags = new Map<string, number>();
  for (const entry of entries) for (const tag of entry.valueTags ?? NO_TAGS) valueTags.set(tag, valueTags.size);
  const valueVersions = valueTags.size === 0 ? [] : await readTagVersions(client, [...valueTags.keys()]);
  return reads.map((read, i) => {
    const entry = entries[i]!;
    const tagVersions = read.tags.length === 0 ? NO_TAGS : read.tags.map((tag) => versions[tagIndex.get(tag)!]);
    if (!entry.valueTags) return new ReadAnswer(entry.payload, tagVersions);
    const own = entry.valueTags.map((tag) => valueVersions[valueTags.get(tag)!]);
    return new ReadAnswer(entry.payload, [...tagVersions, ...own], entry.valueTags);
  });
}

type Replies = [StoredParts[], (string | undefined)[]];

/** The versions of tags (at least one); on a Cluster they live in slots of their own: one GET each, sent together. */
export async function readTagVersions(
  client: Redis | Cluster,
  tags: readonly string[],
): Promise<(string | undefined)[]> {
  const values =
    client instanceof Cluster ? await Promise.all(tags.map((tag) => client.get(tag))) : await client.mget(...tags);
  return values.map((value) => value ?? undefined);
}

async function standaloneRead(client: Redis, reads: readonly EntryRead[], tags: string[]): Promise<Replies> {
  // MGET answers nil for a key of another type (an older layout's hash): no payload, as it should be.
  const replies = await client.mgetBuffer(...reads.map((read) => read.key), ...tags);
  const entries = reads.map((_, i) => parseStoredEntry(replies[i]));
  const versions = tags.map((_, k) => replies[reads.length + k]?.toString('latin1'));
  return [entries, versions];
}

async function clusterRead(client: Cluster, reads: readonly EntryRead[], tags: string[]): Promise<Replies> {
  // One pipeline per master: entries and tags alike, each to the node owning its slot.
  const keys = [...reads.map((read) => read.key), ...tags];
  const groups = groupByNode(client, keys);
  const replies = new Array<[Error | null, unknown]>(keys.length);
  const one = (i: number): Promise<void> =>
    (i < reads.length ? client.getBuffer(keys[i]!) : client.get(keys[i]!)).then(
      (value) => void (replies[i] = [null, value]),
      (error: Error) => void (replies[i] = [error, null]),
    );
  await Promise.all(
    groups
      ? [...groups.values()].map(async (group) => {
          const pipeline = client.pipeline();
          for (const i of group) {
            if (i < reads.length) pipeline.getBuffer(keys[i]!);
            else pipeline.get(keys[i]!);
          }
          try {
            const results = (await pipeline.exec()) ?? [];
            group.forEach((i, k) => (replies[i] = results[k] ?? [null, null]));
          } catch {
            await Promise.all(group.map(one)); // the slot map moved under us: key by key
          }
        })
      : keys.map((_, i) => one(i)),
  );
  const versions = tags.map((_, k) => {
    const [error, value] = replies[reads.length + k]!;
    if (error) throw error;
    return (value as string | null) ?? undefined;
  });
  return [reads.map((_, i) => entryReply(replies[i])), versions];
}

function entryReply(reply: [Error | null, unknown] | undefined): StoredParts {
  if (!reply) return {};
  if (reply[0]) return foreignIsMiss(reply[0]) ?? {};
  return parseStoredEntry(reply[1] as Buffer | null);
}
