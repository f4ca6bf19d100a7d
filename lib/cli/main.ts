#!/usr/bin/env node
// The `cachekit` binary (package.json "bin"): `npx cachekit --help`.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from './cli.program.js';

// Runs only as the program itself (npx resolves its bin symlink, hence realpath), never when a
// build check or a bundler merely imports the module.
const entry = process.argv[1] === undefined ? undefined : realpathSync(process.argv[1]);
if (entry === fileURLToPath(import.meta.url)) {
  process.exitCode = await runCli(process.argv.slice(2), { out: (text) => console.log(text), err: process.stderr });
}
