import { Writable } from 'node:stream';
import { runCli } from '../../lib/cli/cli.program.js';

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
  json<T = unknown>(): T;
}

/** Runs `cachekit <argv>` in-process, capturing stdout and stderr (progress bars go to stderr). */
export async function cli(...argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  let err = '';
  const errStream = new Writable({
    write(chunk, _encoding, done) {
      err += String(chunk);
      done();
    },
  });
  const code = await runCli(argv, { out: (text) => out.push(text), err: errStream });
  const text = out.join('\n');
  return { code, out: text, err, json: <T>() => JSON.parse(text) as T };
}
