// A TCP fault proxy (Node `net`), plain JavaScript so that it runs as a child process of its own
// (a test that blocks its event loop must not stall the network it fakes) and in-process alike.
// Typed and documented in fault-proxy.ts; run as `fork(this file)` it is driven over IPC.
import { createConnection, createServer } from 'node:net';
import { DIRECTIONS, ProxiedConnection } from './fault-proxy.connection.mjs';

const CONNECTION_FAULTS = new Set(['reset', 'refuse', 'closeAfter']);

function scopeKey(scope = {}) {
  if (scope.connection !== undefined) return `conn:${scope.connection}`;
  if (scope.tag !== undefined) return `tag:${scope.tag}`;
  return 'all';
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
