import { busMessage } from '../../bus/invalidation-bus.js';
import { busChannel, entryKeyPattern, isCacheName, nameKey } from '../../keys/key-layout.js';
import { CacheKitCliError } from '../cli.errors.js';
import { cliMessages } from '../cli.messages.js';
import type { CliContext } from '../cli-context.js';
import { scanWithProgress } from '../scan-progress.js';

/**
 * `cachekit clear <cache>`: first what `CacheKit.clear` does (the name's generation is deleted, so
 * every entry is a miss at once and loads already running never store; running instances drop
 * their L1), then SCAN + UNLINK of the entries themselves, to give their memory back now.
 */
export async function clearCommand(ctx: CliContext, cache: string): Promise<void> {
  if (!isCacheName(cache)) throw new CacheKitCliError(cliMessages.invalidCacheName(cache));
  const generation = nameKey(ctx.namespace, cache);
  await ctx.client.del(generation);
  await ctx.client.publish(busChannel(ctx.namespace), busMessage('cachekit-cli', { tags: [generation] }));
  let unlinked = 0;
  const pattern = entryKeyPattern(ctx.namespace, cache);
  await scanWithProgress(ctx, pattern, `clear ${cache}`, async (keys, node) => {
    // A batch from one node: UNLINK one key at a time keeps it valid on a cluster (keys span slots).
    const pipeline = node.pipeline();
    for (const key of keys) pipeline.unlink(key);
    for (const [error, count] of (await pipeline.exec()) ?? []) if (!error) unlinked += count as number;
  });
  ctx.print(
    { cache, generation: 'evicted', unlinked },
    () => `${cache}: every entry evicted; ${unlinked} key(s) unlinked.`,
  );
}
