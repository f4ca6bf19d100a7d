// One proxied connection of the fault proxy (see fault-proxy.child.mjs): the client socket, its
// upstream, and a pipe per direction that delivers bytes as the fault in force allows.

export const DIRECTIONS = ['up', 'down'];
// Bytes of a connection's client-to-server stream looked at to tag it.
const TAG_WINDOW = 4096;
// Bandwidth is metered in slices of this much time, so a slow link trickles rather than bursts.
const BANDWIDTH_QUANTUM_MS = 20;

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
export class ProxiedConnection {
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
