#!/usr/bin/env node
// The `cachekit` binary (package.json "bin"): `npx cachekit --help`.
import { runCli } from './cli.program.js';

process.exitCode = await runCli(process.argv.slice(2), { out: (text) => console.log(text), err: process.stderr });
