import { busMessage } from '../../bus/invalidation-bus.js';
import { encodeKey } from '../../keys/key-encoding.js';
import { busChannel, tagKey } from '../../keys/key-layout.js';
import type { CliContext } from '../cli-context.js';

/** `cachekit evict-tag <tag...>`: what `CacheKit.evictTags` does: each tag's version deleted, L1s told. */
export async function evictTagCommand(ctx: CliContext, tags: string[]): Promise<void> {
  const keys = tags.map((tag) => tagKey(ctx.namespace, encodeKey(tag)));
  // Tags live in different slots: one DEL each, sent together.
  const deleted = await Promise.all(keys.map((key) => ctx.client.del(key)));
  await ctx.client.publish(busChannel(ctx.namespace), busMessage('cachekit-cli', { tags: keys }));
  const result = tags.map((tag, i) => ({ tag, key: keys[i], hadVersion: deleted[i] === 1 }));
  ctx.print(result, () =>
    result.map(({ tag, hadVersion }) => `${tag}: evicted${hadVersion ? '' : ' (no entry carried it yet)'}`).join('\n'),
  );
}
