// A TCP fault proxy (Node `net`), plain JavaScript so that it runs as a child process of its own
// (a test that blocks its event loop must not stall the network it fakes) and in-process alike.
// Typed and documented in fault-proxy.ts; run as `fork(this file)` it is driven over IPC.
import { createConnection, createServer } from 'node:net';

const DIRECTIONS = ['up', 'down'];
const CONNECTION_FAULTS = new Set(['reset', 'refuse', 'closeAfter']);
// Bytes of a connection's client-to-server stream looked at to tag it.
const TAG_WINDOW = 4096;
// Bandwidth is metered in slices of this much time, so a slow link trickles rather than bursts.
const BANDWIDTH_QUANTUM_MS = 20;

function scopeKey(scope = {}) {
  if (scope.connection !== undefined) return `conn:${scope.connection}`;
  if (scope.tag !== undefined) return `tag:${scope.tag}`;
  return 'all';
}

/** One direction of one connection: a FIFO of chunks, delivered as the current fault allows. */
class Pipe {
  #queue = [];
  #timer;
  #nextFreeAt = 0;
  #lastDue = 0;
  #ended = false;
  bytes = 0;

  constructor(connection, direction, to) {
    this.connection = connection;
    this.direction = direction;
    this.to = to;
  }

  push(chunk) {
    this.bytes += chunk.length;
    this.#queue.push({ chunk, arrivedAt: performance.now(), due: undefined });
    this.pump();
  }

  end() {
    this.#ended = true;
    this.pump();
  }

  /** The fault changed: held or delayed chunks are judged again under the new one. */
  reschedule() {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const item of this.#queue) item.due = undefined;
    this.#lastDue = 0;
    this.pump();
  }

  stop() {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue.length = 0;
  }

  pump() {
    if (this.#timer !== undefined || this.to.destroyed) return;
    while (this.#queue.length > 0) {
      const fault = this.connection.faultFor(this.direction);
      const item = this.#queue[0];
      const now = performance.now();
      if (fault.kind === 'blackhole') return;
      if (fault.kind === 'latency') {
        item.due ??= Math.max(this.#lastDue, item.arrivedAt + fault.ms + Math.random() * (fault.jitter ?? 0));
        this.#lastDue = item.due;
        if (now < item.due) return this.#wait(item.due - now);
      }
      if (fault.kind === 'bandwidth') {
        if (now < this.#nextFreeAt) return this.#wait(this.#nextFreeAt - now);
        const bytes = Math.max(1, Math.floor((fault.bytesPerSec * BANDWIDTH_QUANTUM_MS) / 1000));
        this.#nextFreeAt = now + (this.#write(item, bytes) * 1000) / fault.bytesPerSec;
        continue;
      }
      if (fault.kind === 'slice') {
        this.#write(item, fault.bytes);
        // One write per turn of the event loop, so the receiver really reads the pieces apart.
        if (this.#queue.length > 0) return this.#wait(0);
        continue;
      }
      this.#write(item, item.chunk.length);
    }
    if (this.#ended && !this.to.destroyed) this.to.end();
  }

  #write(item, bytes) {
    const piece = item.chunk.subarray(0, bytes);
    item.chunk = item.chunk.subarray(piece.length);
    if (item.chunk.length === 0) this.#queue.shift();
    this.to.write(piece);
    return piece.length;
  }

  #wait(ms) {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.pump();
    }, ms);
  }
}

/** A client connection and its upstream, with a tag found in the client's first bytes. */
class ProxiedConnection {
  tag;
  #seen = '';
  #closeTimer;

  constructor(id, proxy, client, upstream) {
    this.id = id;
    this.proxy = proxy;
    this.client = client;
    this.upstream = upstream;
    this.openedAt = Date.now();
    this.open = true;
    this.pipes = { up: new Pipe(this, 'up', upstream), down: new Pipe(this, 'down', client) };
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (chunk) => this.#fromClient(chunk));
    upstream.on('data', (chunk) => this.pipes.down.push(chunk));
    client.on('end', () => this.pipes.up.end());
    upstream.on('end', () => this.pipes.down.end());
    // A refused or reset upstream reaches the client as a reset, as it would without the proxy.
    upstream.on('error', () => this.reset());
    client.on('error', () => this.reset());
    client.on('close', () => this.close());
    upstream.on('close', () => this.close());
  }

  faultFor(direction) {
    return this.proxy.faultFor(this, direction);
  }

  #fromClient(chunk) {
    if (this.tag === undefined && this.#seen.length < TAG_WINDOW) {
      this.#seen += chunk.toString('latin1');
      this.tag = this.proxy.tagOf(this.#seen);
      if (this.tag !== undefined) this.proxy.tagged(this);
    }
    this.pipes.up.push(chunk);
  }

  /** Applies the connection-level fault now in force for this connection, if any. */
  applyConnectionFault() {
    const fault = this.proxy.connectionFaultFor(this);
    if (fault?.kind === 'reset') return this.reset();
    clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    if (fault?.kind === 'closeAfter') {
      const at = Math.max(this.openedAt, fault.since) + fault.ms;
      this.#closeTimer = setTimeout(() => this.end(), Math.max(0, at - Date.now()));
    }
  }

  reschedule() {
    for (const direction of DIRECTIONS) this.pipes[direction].reschedule();
  }

  /** RST on both sides: the peer sees ECONNRESET, no FIN. */
  reset() {
    if (!this.open) return;
    for (const socket of [this.client, this.upstream]) {
      if (!socket.destroyed) socket.resetAndDestroy();
    }
    this.close();
  }

  /** A graceful close (FIN) on both sides. */
  end() {
    this.client.end();
    this.upstream.end();
    setTimeout(() => this.close(), 1_000).unref();
  }

  close() {
    if (!this.open) return;
    this.open = false;
    clearTimeout(this.#closeTimer);
    for (const direction of DIRECTIONS) this.pipes[direction].stop();
    this.client.destroy();
    this.upstream.destroy();
  }

  describe() {
    return {
      id: this.id,
      tag: this.tag ?? null,
      open: this.open,
      bytesUp: this.pipes.up.bytes,
      bytesDown: this.pipes.down.bytes,
    };
  }
}

/** The proxy: listens on a loopback port and forwards to `target`, through the faults in force. */
export class FaultProxyCore {
  #server;
  #rules = new Map();
  #connections = new Map();
  #nextId = 1;
  #refusing = false;
  port = 0;

  constructor(options) {
    this.target = options.target;
    this.tags = (options.tags ?? []).map((tag) => ({ name: tag.name, pattern: new RegExp(tag.pattern, tag.flags) }));
  }

  async start(port = 0) {
    await this.#listen(port);
    return this.port;
  }

  async #listen(port) {
    const server = createServer((client) => this.#accept(client));
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    this.#server = server;
    this.port = server.address().port;
  }

  #accept(client) {
    const upstream = createConnection({ host: this.target.host ?? '127.0.0.1', port: this.target.port });
    const connection = new ProxiedConnection(this.#nextId++, this, client, upstream);
    this.#connections.set(connection.id, connection);
    connection.applyConnectionFault();
  }

  tagOf(seen) {
    return this.tags.find((tag) => tag.pattern.test(seen))?.name;
  }

  tagged(connection) {
    connection.applyConnectionFault();
    connection.reschedule();
  }

  #lookup(connection, slot) {
    for (const key of [
      `conn:${connection.id}`,
      connection.tag === undefined ? undefined : `tag:${connection.tag}`,
      'all',
    ]) {
      const rule = key && this.#rules.get(key)?.[slot];
      if (rule) return rule;
    }
    return undefined;
  }

  faultFor(connection, direction) {
    return this.#lookup(connection, direction) ?? { kind: 'pass' };
  }

  connectionFaultFor(connection) {
    return this.#lookup(connection, 'connection');
  }

  /** Puts `fault` in force on a scope: every connection, one tag, or one connection id. */
  async set(fault, scope = {}) {
    const key = scopeKey(scope);
    const rule = { ...this.#rules.get(key) };
    if (fault.kind === 'refuse') {
      if (key !== 'all') throw new Error('refuse applies to the listening socket: set it without a tag or connection');
      rule.connection = fault;
      this.#rules.set(key, rule);
      return this.#refuse();
    }
    if (CONNECTION_FAULTS.has(fault.kind)) {
      rule.connection = { ...fault, since: Date.now() };
    } else {
      const directions = scope.direction && scope.direction !== 'both' ? [scope.direction] : DIRECTIONS;
      for (const direction of directions) rule[direction] = fault;
      if (fault.kind === 'pass' && directions.length === 2) delete rule.connection;
    }
    this.#rules.set(key, rule);
    await this.#reapply();
  }

  /** Lifts every fault of a scope (or of all scopes): connections go back to passing bytes. */
  async clear(scope) {
    if (scope === undefined) this.#rules.clear();
    else this.#rules.delete(scopeKey(scope));
    await this.#reapply();
  }

  async #reapply() {
    if (this.#refusing && this.#rules.get('all')?.connection?.kind !== 'refuse') {
      this.#refusing = false;
      await this.#listen(this.port);
    }
    for (const connection of this.#connections.values()) {
      if (!connection.open) continue;
      connection.applyConnectionFault();
      connection.reschedule();
    }
  }

  // New connections are refused (ECONNREFUSED): the port stops listening; open ones carry on.
  async #refuse() {
    if (this.#refusing) return;
    this.#refusing = true;
    const server = this.#server;
    this.#server = undefined;
    await new Promise((resolve) => {
      server.close();
      // close() waits for open connections; the port itself is released at once.
      setTimeout(resolve, 0);
    });
  }

  /** Every connection accepted so far, open or closed. */
  connections() {
    return [...this.#connections.values()].map((connection) => connection.describe());
  }

  async stop() {
    for (const connection of this.#connections.values()) connection.close();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

// Run as a child process: one proxy, driven over IPC by fault-proxy.ts.
if (process.send && process.env.FAULT_PROXY_CHILD === '1') {
  let proxy;
  process.on('message', async (message) => {
    // IPC is JSON: an undefined argument arrives as null.
    const args = message.args.map((arg) => (arg === null ? undefined : arg));
    try {
      let result;
      if (message.method === 'start') {
        proxy = new FaultProxyCore(args[0]);
        result = await proxy.start();
      } else {
        result = await proxy[message.method](...args);
      }
      process.send({ id: message.id, result });
      if (message.method === 'stop') process.disconnect();
    } catch (error) {
      process.send({ id: message.id, error: String(error?.stack ?? error) });
    }
  });
  // The parent going away takes the proxy with it.
  process.on('disconnect', () => process.exit(0));
}
