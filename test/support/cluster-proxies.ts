import { Redis } from 'ioredis';
import { ConnectionTag, FaultProxy, startFaultProxyProcess } from './fault-proxy.js';

/** A node's address: host and port. */
export interface NodeAddress {
  host: string;
  port: number;
}

/** One node of the cluster and the proxy a client reaches it through. */
export interface ProxiedNode {
  /** The address the cluster announces for the node (CLUSTER SLOTS, MOVED). */
  announced: NodeAddress;
  proxy: FaultProxy;
}

/**
 * A fault proxy in front of every node of a Redis Cluster, and the ioredis `natMap` that sends a
 * cluster client through them.
 * @example new Cluster(proxies.seeds, { natMap: proxies.natMap })
 */
export interface ClusterProxies {
  readonly nodes: ProxiedNode[];
  /** Seed nodes for a client: the proxies, so even the first CLUSTER SLOTS goes through one. */
  readonly seeds: NodeAddress[];
  /** `host:port` as the cluster announces it, to the proxy in front of that node. */
  readonly natMap: Record<string, NodeAddress>;
  /** The proxy in front of the node the cluster announces on `port`. */
  of(port: number): FaultProxy;
  /** Lifts every fault on every proxy. */
  clear(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts one fault proxy (a child process each, as for the standalone timing tests) per node the
 * cluster knows of, masters and replicas, found through `seed`.
 */
export async function startClusterProxies(seed: NodeAddress, tags: ConnectionTag[] = []): Promise<ClusterProxies> {
  const announced = await announcedNodes(seed);
  const nodes: ProxiedNode[] = [];
  const stop = async () => void (await Promise.all(nodes.map((node) => node.proxy.stop())));
  try {
    for (const address of announced) {
      nodes.push({ announced: address, proxy: await startFaultProxyProcess({ target: address, tags }) });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const proxyAddress = (proxy: FaultProxy): NodeAddress => ({ host: '127.0.0.1', port: proxy.port });
  return {
    nodes,
    seeds: nodes.map((node) => proxyAddress(node.proxy)),
    natMap: Object.fromEntries(nodes.map((node) => [addressKey(node.announced), proxyAddress(node.proxy)])),
    of: (port) => {
      const node = nodes.find((candidate) => candidate.announced.port === port);
      if (!node) throw new Error(`no proxy in front of a node on port ${port}`);
      return node.proxy;
    },
    clear: async () => void (await Promise.all(nodes.map((node) => node.proxy.clear()))),
    stop,
  };
}

function addressKey(address: NodeAddress): string {
  return `${address.host}:${address.port}`;
}

/** Every node in CLUSTER NODES, with the address it announces (what natMap is keyed by). */
async function announcedNodes(seed: NodeAddress): Promise<NodeAddress[]> {
  const client = new Redis(seed.port, seed.host, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    const text = (await client.cluster('NODES')) as string;
    // A line is `<id> <ip>:<port>@<bus-port>[,<hostname>] <flags> ...`; a node that announces no
    // address yet (`:0`) cannot be reached through anything.
    return text
      .split('\n')
      .filter((line) => line.trim() !== '' && !/\bnoaddr\b/.test(line))
      .map((line) => {
        const [host, port] = line.split(' ')[1]!.split('@')[0]!.split(':');
        return { host: host!, port: Number(port) };
      })
      .filter((address) => address.port > 0)
      .sort((a, b) => a.port - b.port);
  } finally {
    client.disconnect();
  }
}

/** The announced port of the master serving each key's slot, in the order of `keys` (one connection, one pipeline). */
export async function masterPortsOf(seed: NodeAddress, keys: string[]): Promise<number[]> {
  const client = new Redis(seed.port, seed.host, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    const ranges = await client.cluster('SLOTS');
    const slots = await Promise.all(keys.map((key) => client.cluster('KEYSLOT', key) as Promise<number>));
    return slots.map((slot) => {
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`no node serves slot ${slot}`);
      return range[2]![1];
    });
  } finally {
    client.disconnect();
  }
}
