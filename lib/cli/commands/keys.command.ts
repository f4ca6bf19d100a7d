import { entryKeyPattern, isCacheName, namespaceKeyPattern } from '../../keys/key-layout.js';
import { CacheKitCliError } from '../cli.errors.js';
import { cliMessages } from '../cli.messages.js';
import type { CliContext } from '../cli-context.js';
import { scanWithProgress } from '../scan-progress.js';

/** `cachekit keys [cache]`: the entry keys of one cache (or every key of the namespace), by SCAN. */
export async function keysCommand(ctx: CliContext, cache: string | undefined, limit: number): Promise<void> {
  if (cache !== undefined && !isCacheName(cache)) throw new CacheKitCliError(cliMessages.invalidCacheName(cache));
  const pattern = cache === undefined ? namespaceKeyPattern(ctx.namespace) : entryKeyPattern(ctx.namespace, cache);
  const found: string[] = [];
  const { matched } = await scanWithProgress(ctx, pattern, 'keys', async (keys) => {
    for (const key of keys) if (found.length < limit) found.push(key);
  });
  found.sort();
  ctx.print({ pattern, matched, keys: found }, () =>
    [
      ...found,
      `${matched} key(s) match ${pattern}${matched > found.length ? ` (first ${found.length} shown)` : ''}`,
    ].join('\n'),
  );
}
