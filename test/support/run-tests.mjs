#!/usr/bin/env node
// `npm test`: makes sure the servers the tests need are installed, builds dist/, type-checks
// (including the @ts-expect-error type tests), then runs vitest. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const needed = [];
if (!process.env.REDIS_URL && !has('redis-server')) needed.push('redis-server');
const hasPostgres = spawnSync('sh', ['-c', 'ls /usr/lib/postgresql/*/bin/initdb'], { stdio: 'ignore' }).status === 0;
if (!process.env.DATABASE_URL && !hasPostgres) needed.push('postgresql');
// The live page's browser test drives Debian's chromium; without root it skips instead (saying so).
const wantsChromium = !process.env.CHROMIUM_PATH && !has('chromium');
if (wantsChromium && process.getuid?.() === 0 && has('apt-get')) needed.push('chromium');
else if (wantsChromium)
  console.warn('[test] chromium not found: the dashboard browser test will skip (sudo apt-get install -y chromium).');
if (needed.length > 0) {
  const install = `apt-get install -y ${needed.join(' ')}`;
  if (process.getuid?.() === 0 && has('apt-get')) {
    console.log(`[test] ${needed.join(', ')} not found: running '${install}' (as root).`);
    run('sh', ['-c', `(apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive ${install}`]);
  } else {
    console.error(`[test] The tests need ${needed.join(' and ')}. Install with: sudo ${install}`);
    process.exit(1);
  }
}

console.log('[test] building dist/ (test/dist uses the built package)');
run('npm', ['run', 'build', '--silent']);
console.log('[test] type-checking (tsc, including the type tests in test/types)');
run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
run('node', ['test/support/extract-readme-blocks.mjs']);
console.log('[test] type-checking the README code blocks against the built package');
run('npx', ['tsc', '-p', 'tsconfig.readme.json']);
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
