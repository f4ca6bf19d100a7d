// A child process of the multi-process stampede: its own apps and clients, like one instance of a
// horizontally scaled service. It runs rounds when the parent asks and reports what it saw.
import { openContenders } from '../contenders/all.js';
import { stampedeRound } from './stampede-round.js';
import type { ParentMessage, WorkerMessage } from './stampede-processes.js';

const [redisUrl, prefix] = process.argv.slice(2);

function send(message: WorkerMessage): void {
  // After the parent is gone (Ctrl-C) there is no one to report to: the process is shutting down.
  if (process.connected) process.send?.(message);
}

const group = await openContenders(redisUrl, prefix);
let closing: Promise<void> | undefined;
const shutdown = () => {
  // Exit explicitly once closed: a peer library's stray timer must not keep this process alive.
  closing ??= group.close().finally(() => process.exit(0));
  return closing;
};
// The parent went away (finished or crashed): close everything so no client or child lingers.
process.on('disconnect', () => void shutdown());

process.on('message', (message: ParentMessage) => {
  if (message.type === 'exit') {
    void shutdown();
    return;
  }
  const contender = group.contenders.find((candidate) => candidate.name === message.name);
  if (!contender) {
    send({ type: 'error', id: message.id, message: `unknown contender ${message.name}` });
    return;
  }
  // All processes start at the same wall-clock instant, so their misses overlap like a real stampede.
  setTimeout(
    () => {
      stampedeRound(contender, message.key, message.callers, message.loaderMs).then(
        (result) => send({ type: 'result', id: message.id, result }),
        (error: Error) => send({ type: 'error', id: message.id, message: error.message }),
      );
    },
    Math.max(0, message.startAt - Date.now()),
  );
});

send({ type: 'ready' });
