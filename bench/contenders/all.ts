import { cachekitContenders } from './cachekit.js';
import { Contender, ContenderGroup } from './contender.js';
import { peerContenders } from './peers.js';

// Row order in every table: floor first, then this module, then hand-written code, then peers.
function rank(contender: Contender): number {
  if (contender.floor) return 0;
  if (contender.name.startsWith('cachekit')) return 1;
  if (contender.hitOnly || contender.name.startsWith('naive')) return 2;
  return 3;
}

/** Every contender, connected to the same Redis, with keys under `prefix`. */
export async function openContenders(redisUrl: string, prefix: string): Promise<ContenderGroup> {
  const ours = await cachekitContenders(redisUrl, prefix);
  let peers: ContenderGroup;
  try {
    peers = await peerContenders(redisUrl, prefix);
  } catch (error) {
    await ours.close();
    throw error;
  }
  const contenders = [...ours.contenders, ...peers.contenders]
    .map((contender, index) => ({ contender, index }))
    .sort((a, b) => rank(a.contender) - rank(b.contender) || a.index - b.index)
    .map(({ contender }) => contender);
  return {
    contenders,
    close: async () => {
      await peers.close();
      await ours.close();
    },
  };
}
