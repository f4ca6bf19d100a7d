// The child side of a test worker process (an app instance in a process of its own, driven by a
// spec over IPC through test/support/worker-process.ts): its config, the 'ready' handshake, and
// the 'close' message every worker answers the same way. Plain JavaScript: workers run the built
// package under plain Node.

/** The worker's configuration, as the parent passed it (JSON in WORKER_CONFIG). */
export const workerConfig = JSON.parse(process.env.WORKER_CONFIG ?? '{}');

/** Sends one message to the parent. @example tellParent({ type: 'evicted', lsn }) */
export function tellParent(message) {
  process.send(message);
}

/**
 * Answers the parent's messages with `handlers` (by `type`), closes `app` and exits on 'close',
 * then tells the parent the worker is ready (last, so nothing the parent sends after is missed).
 * @example serveParent(app, { rename: async (message) => { ... } });
 */
export function serveParent(app, handlers = {}) {
  process.on('message', async (message) => {
    if (message.type === 'close') {
      await app.close();
      process.exit(0);
    }
    await handlers[message.type]?.(message);
  });
  tellParent({ type: 'ready' });
}
