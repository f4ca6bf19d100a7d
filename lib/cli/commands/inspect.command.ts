import { unwrap } from '../../engine/entry/envelope.js';
import { encodeArgs, encodeKey } from '../../keys/key-encoding.js';
import { entryKey, entryKeyPrefix, isCacheName, leaseKey, nameKey, tagKey } from '../../keys/key-layout.js';
import { parseStoredEntry } from '../../stores/stored-entry.js';
import { CacheKitCliError } from '../cli.errors.js';
import { cliMessages } from '../cli.messages.js';
import type { CliContext } from '../cli-context.js';

/** How `inspect` is told the key: what the key function returns, or the call's arguments. */
export interface InspectTarget {
  keyJson?: string;
  argsJson?: string;
  /** The definition's tags for this entry, in its order, to check each against its current version. */
  tags: string[];
}

/** What `cachekit inspect` reports about one entry. */
export interface EntryReport {
  key: string;
  found: boolean;
  ttlLeftMs?: number;
  createdAt?: string;
  /** Soft expiry (stale-while-revalidate): absent without one. */
  freshUntil?: string;
  expiresAt?: string;
  loadMs?: number;
  compressed?: boolean;
  payloadBytes?: number;
  memoryBytes?: number | null;
  leaseHeld?: boolean;
  /** The name's generation first, then the entry's own tags: current means the entry is served. */
  tags?: { tag: string; stored: string; current: string | null; state: 'current' | 'evicted' }[];
  /** Tag versions stored beyond the names given with --tag (names are not stored in the entry). */
  unnamedTagVersions?: string[];
  /** False when a tag (or a clear) evicted it: it reads as a miss, whatever its TTL. */
  servable?: boolean;
}

/** `cachekit inspect <cache> <key json>`: TTL left, soft and hard expiry, tags and their versions, size. */
export async function inspectCommand(ctx: CliContext, cache: string, target: InspectTarget): Promise<void> {
  if (!isCacheName(cache)) throw new CacheKitCliError(cliMessages.invalidCacheName(cache));
  const key = entryKey(entryKeyPrefix(ctx.namespace, cache), encodedParts(target));
  const report = await inspectEntry(ctx, cache, key, target.tags);
  ctx.print(report, () => describe(report));
}

async function inspectEntry(ctx: CliContext, cache: string, key: string, tagNames: string[]): Promise<EntryReport> {
  const client = ctx.client;
  const [payload, ttlLeftMs, memoryBytes, lease] = await Promise.all([
    client.getBuffer(key).then(
      (raw) => parseStoredEntry(raw).payload,
      () => undefined,
    ),
    client.pttl(key),
    (client.call('MEMORY', 'USAGE', key) as Promise<number | null>).catch(() => null),
    client.exists(leaseKey(key)),
  ]);
  if (!payload) return { key, found: false };
  const envelope = unwrap(payload);
  if (!envelope) throw new CacheKitCliError(cliMessages.foreignEntry(key));
  const { meta, tagVersions } = envelope;
  // The planner puts the name's generation first, then the definition's tags in order.
  const names = [`~name:${cache}`, ...tagNames];
  const tagKeys = [nameKey(ctx.namespace, cache), ...tagNames.map((tag) => tagKey(ctx.namespace, encodeKey(tag)))];
  const named = Math.min(names.length, tagVersions.length);
  const current = await Promise.all(tagKeys.slice(0, named).map((k) => client.get(k)));
  const tags = current.map((version, i) => ({
    tag: names[i],
    stored: tagVersions[i],
    current: version,
    state: version === tagVersions[i] ? ('current' as const) : ('evicted' as const),
  }));
  return {
    key,
    found: true,
    ttlLeftMs,
    createdAt: new Date(meta.createdAt).toISOString(),
    ...(meta.freshUntil > 0 ? { freshUntil: new Date(meta.freshUntil).toISOString() } : {}),
    expiresAt: new Date(meta.expiresAt).toISOString(),
    loadMs: Math.round(meta.loadMs * 100) / 100,
    compressed: envelope.compressed,
    payloadBytes: payload.byteLength,
    memoryBytes,
    leaseHeld: lease === 1,
    tags,
    ...(tagVersions.length > named ? { unnamedTagVersions: tagVersions.slice(named) } : {}),
    servable: tags.every((tag) => tag.state === 'current'),
  };
}

function encodedParts(target: InspectTarget): string {
  if (target.argsJson !== undefined) {
    const args = parseJson(target.argsJson, (cause) => cliMessages.invalidArgsJson(`${target.argsJson} (${cause})`));
    if (!Array.isArray(args)) throw new CacheKitCliError(cliMessages.invalidArgsJson(target.argsJson));
    return encodeArgs(args);
  }
  const keyJson = target.keyJson ?? '';
  return encodeKey(parseJson(keyJson, (cause) => cliMessages.invalidKeyJson(keyJson, cause)));
}

function parseJson(text: string, message: (cause: string) => string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CacheKitCliError(message((error as Error).message));
  }
}

function describe(report: EntryReport): string {
  if (!report.found) return cliMessages.notFound(report.key);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    `key          ${report.key}`,
    `servable     ${report.servable ? 'yes' : 'no (evicted by a tag or a clear: reads as a miss)'}`,
    `ttl left     ${seconds(report.ttlLeftMs ?? 0)}`,
    `created      ${report.createdAt}`,
    `soft expiry  ${report.freshUntil ?? '(none)'}`,
    `hard expiry  ${report.expiresAt}`,
    `load took    ${report.loadMs} ms`,
    `size         ${report.payloadBytes} bytes stored${report.compressed ? ' (compressed)' : ''}, ${report.memoryBytes ?? '?'} bytes in Redis`,
    `lease        ${report.leaseHeld ? 'held (a load is running)' : 'none'}`,
    ...(report.tags ?? []).map((tag) => `tag          ${tag.tag} ${tag.stored} (${tag.state})`),
    ...(report.unnamedTagVersions ?? []).map((v) => `tag          ? ${v} (name it with --tag to check it)`),
  ];
  return lines.join('\n');
}
