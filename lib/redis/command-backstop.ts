import type { Cluster, Redis } from 'ioredis';
import type { CommandItem } from './queued-commands.js';

const TIMED_OUT = 'Command timed out';

/**
 * ioredis's `commandTimeout` (a command with no answer after `timeoutMs` rejects) for a
 * standalone client, enforced by one timer that sweeps the client's command queue instead of a
 * timer armed and cleared per command: on a cache hit that timer is a measurable share of the
 * cost. Replies come back in the order commands were sent, so each sweep only marks the newest
 * command queued; once a mark is `timeoutMs` old, every command up to it (if still unanswered)
 * has waited at least that long and is rejected, as ioredis would. As with the module's own
 * deadlines, while the queue moves (commands are answered) age counts only time the event loop
 * was idle: a burst that keeps this process busy for seconds leaves answers unread in the socket,
 * which is no sign of a failing Redis. While it does not move, age counts wall time, less stalls
 * of the loop itself (a late sweep counts as one). A command fails `timeoutMs` to `timeoutMs` plus
 * one sweep (a tenth of it) after it was sent, on that clock.
 */
export class CommandBackstop {
  readonly #marks: { item: CommandItem; at: number }[] = [];
  readonly #timer: NodeJS.Timeout;
  /** The clock marks age on (see above). */
  #clockMs = 0;
  #lastSweep = Date.now();
  #lastUse = performance.eventLoopUtilization();
  #lastFront: CommandItem | undefined;
  readonly #sweepMs: number;

  constructor(
    private readonly client: Redis,
    private readonly timeoutMs: number,
  ) {
    this.#sweepMs = Math.max(1, Math.round(timeoutMs / 10));
    this.#timer = setInterval(() => this.#guardedSweep(), this.#sweepMs).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#marks.length = 0;
  }

  // The command queue is ioredis's own structure: should a future 5.x change it, hand the timeout
  // back to ioredis rather than throw from a timer (which would end the process).
  #guardedSweep(): void {
    try {
      this.#sweep();
    } catch {
      this.stop();
      this.client.options.commandTimeout = this.timeoutMs;
    }
  }

  #sweep(): void {
    const queue = this.client.commandQueue;
    const wall = Date.now();
    const elapsed = wall - this.#lastSweep;
    const use = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(use, this.#lastUse).active;
    const front = queue.peekFront();
    const moved = front !== this.#lastFront;
    this.#clockMs += moved ? Math.max(0, elapsed - busy) : Math.min(elapsed, this.#sweepMs);
    this.#lastSweep = wall;
    this.#lastUse = use;
    this.#lastFront = front;
    const now = this.#clockMs;
    const newest = queue.peekBack();
    if (newest !== undefined && newest !== this.#marks.at(-1)?.item) this.#marks.push({ item: newest, at: now });
    let overdue: CommandItem | undefined;
    while (this.#marks.length > 0 && this.#marks[0].at <= now - this.timeoutMs) overdue = this.#marks.shift()!.item;
    if (overdue === undefined) return;
    // Not in the queue any more: it was answered, and so was everything sent before it.
    let last = -1;
    for (let i = 0; i < queue.length; i++) {
      if (queue.peekAt(i) === overdue) {
        last = i;
        break;
      }
    }
    // Rejecting an answered command is a no-op; its reply still shifts it off the queue later.
    for (let i = 0; i <= last; i++) queue.peekAt(i)!.command.reject(new Error(TIMED_OUT));
  }
}

/**
 * The same backstop on every node of a Cluster: ioredis's own `commandTimeout` counts wall time,
 * so a burst that keeps this process busy would fail commands whose answers sat unread. A node
 * that joins gets one, a node that leaves has its one stopped.
 */
export class ClusterBackstops {
  readonly #byNode = new Map<Redis, CommandBackstop>();
  readonly #add = (node: Redis): void => {
    if (!this.#byNode.has(node)) this.#byNode.set(node, new CommandBackstop(node, this.timeoutMs));
  };
  readonly #remove = (node: Redis): void => {
    this.#byNode.get(node)?.stop();
    this.#byNode.delete(node);
  };

  constructor(
    private readonly cluster: Cluster,
    private readonly timeoutMs: number,
  ) {
    for (const node of cluster.nodes()) this.#add(node);
    cluster.on('+node', this.#add);
    cluster.on('-node', this.#remove);
  }

  stop(): void {
    this.cluster.off('+node', this.#add);
    this.cluster.off('-node', this.#remove);
    for (const backstop of this.#byNode.values()) backstop.stop();
    this.#byNode.clear();
  }
}
