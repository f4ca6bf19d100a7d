import { Server, Socket, createConnection, createServer } from 'node:net';

/**
 * A TCP proxy in front of Redis whose client-to-server direction can be held: commands sent while
 * held reach Redis only on release, like a write stuck in a slow network, delivered late.
 */
export class PausableProxy {
  #server?: Server;
  #held = false;
  readonly #pending: (() => void)[] = [];
  readonly #sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<void> {
    this.#server = createServer((client) => {
      const upstream = createConnection({ port: this.targetPort, host: '127.0.0.1' });
      this.#sockets.add(client).add(upstream);
      client.on('data', (chunk) => {
        const forward = () => upstream.write(chunk);
        if (this.#held) this.#pending.push(forward);
        else forward();
      });
      upstream.on('data', (chunk) => client.write(chunk));
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
  }

  hold(): void {
    this.#held = true;
  }

  release(): void {
    this.#held = false;
    for (const forward of this.#pending.splice(0)) forward();
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server?.close(resolve));
  }
}
