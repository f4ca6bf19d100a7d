import { busMessage } from '../../bus/invalidation-bus.js';
import { encodeKey } from '../../keys/key-encoding.js';
import { busChannel, tagEvictionKey, tagKey } from '../../keys/key-layout.js';
import { EVICTION_MARK_TTL_MS, EVICT_TAG } from '../../stores/redis.scripts.js';
import type { CliContext } from '../cli-context.js';

/** `cachekit evict-tag <tag...>`: what `CacheKit.evictTags` does: each tag's version deleted (and when, recorded), L1s told. */
export async function evictTagCommand(ctx: CliContext, tags: string[]): Promise<void> {
  const keys = tags.map((tag) => tagKey(ctx.namespace, encodeKey(tag)));
  // Tags live in different slots: one script each, sent together. It records when, as the app's
  // evictions do, so a load running now that takes the tag from its value does not store.
  const deleted = await Promise.all(
    keys.map((key) => EVICT_TAG.run(ctx.client, [key, tagEvictionKey(key)], [EVICTION_MARK_TTL_MS])),
  );
  await ctx.client.publish(busChannel(ctx.namespace), busMessage('cachekit-cli', { tags: keys }));
  const result = tags.map((tag, i) => ({ tag, key: keys[i], hadVersion: deleted[i] === 1 }));
  ctx.print(result, () =>
    result.map(({ tag, hadVersion }) => `${tag}: evicted${hadVersion ? '' : ' (no entry carried it yet)'}`).join('\n'),
  );
}
