import type { Cluster } from 'ioredis';

// CRC16/XMODEM, the hash Redis Cluster places keys with (cluster spec, "Keys distribution model").
const TABLE = Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  return crc;
});

/**
 * The cluster slot of a key: of its hash tag (the text between the first '{' and the next '}')
 * when that is not empty, else of the whole key. @example slotOf('{shop:product:#1}:lease') === slotOf('{shop:product:#1}')
 */
export function slotOf(key: string): number {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(key, 'utf8')) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc % 16_384;
}

/**
 * Groups keys (by index) by the master node serving their slot, as the client last learnt the
 * slot map; undefined while it knows none (connecting), when each key goes on its own.
 */
export function groupByNode(client: Cluster, keys: readonly string[]): Map<string, number[]> | undefined {
  const slots = (client as unknown as { slots?: string[][] }).slots;
  if (!slots || slots.length === 0) return undefined;
  const groups = new Map<string, number[]>();
  for (let i = 0; i < keys.length; i++) {
    const node = slots[slotOf(keys[i]!)]?.[0];
    if (node === undefined) return undefined;
    let group = groups.get(node);
    if (!group) groups.set(node, (group = []));
    group.push(i);
  }
  return groups;
}
