import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { CacheKit, CacheKitModuleOptions } from '../../lib/index.js';
import { uniqueNamespace } from '../support/app.js';
import { CallLoop, CallRecord } from '../support/call-loop.js';
import { ClusterProxies, NodeAddress, masterPortsOf, startClusterProxies } from '../support/cluster-proxies.js';
import { FaultProxy, SUBSCRIBER_TAG } from '../support/fault-proxy.js';
import {
  Apps,
  BREAKER_COOLDOWN_MS,
  DEADLINE_MS,
  MARGIN_MS,
  ORIGIN_MS,
  Origin,
  itemById,
  scenarioOptions,
  until,
} from './reliability.helpers.js';

/** The bound every call keeps under a fault: the origin, one deadline, and slack for a busy machine. */
export const BOUND_MS = ORIGIN_MS + DEADLINE_MS + MARGIN_MS;

/** Which master a scenario faults: the one holding the cache name's generation, or another one. */
export type VictimHolds = 'generation' | 'entries only';

/** Two instances on one namespace, a victim master, ids on it and off it (all cached), and a counting call. */
export interface ClusterScenario {
  /** Reaches every node through its proxy. */
  a: CacheKit;
  /** Reaches the nodes directly: the healthy writer. */
  b: CacheKit;
  /** Ids whose entries live on the victim, and ids that live on the other masters. */
  on: number[];
  off: number[];
  origin: Origin;
  /** A call through `a` that says whether its loader ran. */
  call: (id: number) => Promise<{ version: number; loaded: boolean }>;
  /** The proxy in front of the victim. */
  proxy: FaultProxy;
}

/**
 * The suite's shared 3-master cluster, reached by the instance under test through one fault proxy
 * per node (ioredis `natMap` rewrites the ports the cluster announces); a second instance reaches
 * the nodes directly and stays healthy, to evict while the first one's network misbehaves. Call it
 * inside a `describe`: it registers the hooks that start and stop the proxies and close the apps.
 */
export function useClusterProxies() {
  const seed: NodeAddress = inject('clusterNodes')[0]!;
  let proxies: ClusterProxies;
  const apps = new Apps();
  beforeAll(async () => {
    proxies = await startClusterProxies(seed, [SUBSCRIBER_TAG]);
  });
  afterAll(() => proxies?.stop());
  afterEach(async () => {
    await apps.close();
    await proxies.clear();
  });

  const proxied = (namespace: string, extra: CacheKitModuleOptions = {}): CacheKitModuleOptions => ({
    ...scenarioOptions('unused', namespace, extra),
    redis: { cluster: proxies.seeds, options: { natMap: proxies.natMap } },
  });

  /**
   * Every read of an entry also reads its cache name's generation (an implicit tag: one key, on one
   * master), so the victim is chosen as that master or as another one.
   */
  async function scenario(victimHolds: VictimHolds): Promise<ClusterScenario> {
    const namespace = uniqueNamespace();
    const a = await apps.boot(proxied(namespace));
    const b = await apps.boot({ ...scenarioOptions('unused', namespace), redis: { cluster: inject('clusterNodes') } });
    const ids = Array.from({ length: 120 }, (_, i) => i + 1);
    const [generation, ...owners] = await masterPortsOf(seed, [
      `{${namespace}:~name:${itemById.name}}`,
      ...ids.map((id) => entryKey(namespace, id)),
    ]);
    const victim = victimHolds === 'generation' ? generation! : owners.find((port) => port !== generation)!;
    const on = ids.filter((_, i) => owners[i] === victim).slice(0, 16);
    const off = ids.filter((_, i) => owners[i] !== victim).slice(0, 16);
    const origin = new Origin();
    await Promise.all([...on, ...off].map((id) => a.getOrSet(itemById, [id], origin.load(id))));
    const call = async (id: number) => {
      let loaded = false;
      const value = await a.getOrSet(itemById, [id], () => ((loaded = true), origin.load(id)()));
      expect(value.id).toBe(id);
      return { version: value.version, loaded };
    };
    return { a, b, on, off, origin, call, proxy: proxies.of(victim) };
  }

  return {
    seed,
    apps,
    proxied,
    scenario,
    get proxies(): ClusterProxies {
      return proxies;
    },
  };
}

/** The key of an item's entry, whose slot decides its master. */
export function entryKey(namespace: string, id: number): string {
  return `{${namespace}:item:${itemById.keyOf([id])}}`;
}

/** Calls of evicted ids that began after their eviction was confirmed yet returned the old version. */
export function staleAfter(records: CallRecord[], evicted: number[], at: number): CallRecord[] {
  return records.filter((r) => evicted.includes(r.id) && r.startedAt > at && r.version !== 2);
}

/** The slowest call's duration (0 for none). */
export function slowest(records: CallRecord[]): number {
  return Math.max(0, ...records.map((r) => r.ms));
}

/** Once a fault is lifted: how long until a call of the victim's ids was a hit again. */
export function hitsAgain(loop: CallLoop, on: number[], what: string): Promise<number> {
  return until(
    async () => loop.between(performance.now() - 150).some((r) => on.includes(r.id) && !r.loaded),
    BREAKER_COOLDOWN_MS + 3_000,
    25,
    what,
  );
}

/** How often each breaker was open, sampled after every call of a loop. @example CallLoop.start(ids, 4, call, breakers.sample) */
export class BreakerSamples {
  samples = 0;
  readsOpen = 0;
  writesOpen = 0;

  constructor(private readonly cache: CacheKit) {}

  readonly sample = (): void => {
    const { reads, writes } = this.cache.storeStats().breaker;
    this.samples++;
    this.readsOpen += reads === 'open' ? 1 : 0;
    this.writesOpen += writes === 'open' ? 1 : 0;
  };

  toString(): string {
    return `breaker open in ${this.readsOpen}/${this.samples} samples (reads), ${this.writesOpen} (writes)`;
  }
}
