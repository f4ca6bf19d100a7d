// The README's Quick start must boot as written: its blocks are compiled with tsc against the built
// package (dist/, imported as 'nestjs-cachekit' through package.json `exports`) and run in a fresh
// Node process on the memory store, as a reader who pastes them would run them.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = join(root, '.tmp/docs-quick-start');
const BLOCK = /(?:<!-- file: ([\w.-]+\.ts) -->\s*\n)?```ts\n([\s\S]*?)```/g;

/** The ```ts blocks of the README's "Quick start" section, named by their `<!-- file: -->` marker. */
function quickStartBlocks(): { file: string; code: string }[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Quick start\n');
  if (start < 0) throw new Error('README.md has no "## Quick start" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(BLOCK)].map(([, file, code], i) => ({ file: file ?? `block-${i + 1}.ts`, code }));
}

// Boots the compiled AppModule, spies on the repository ProductService gets injected, calls
// findOne(1) twice and prints what happened.
const CHECK = `
import { NestFactory } from '@nestjs/core';
import { CacheKit } from 'nestjs-cachekit';
const exports = Object.assign({}, ...(await Promise.all(process.argv.slice(2).map((file) => import(file)))));
const { AppModule, ProductService } = exports;
if (!AppModule || !ProductService) throw new Error('the Quick start exports no AppModule or no ProductService');
const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error'], abortOnError: false });
try {
  const [Repository] = Reflect.getMetadata('design:paramtypes', ProductService) ?? [];
  const repository = app.get(Repository);
  let repositoryCalls = 0;
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(repository))) {
    const method = repository[name];
    if (name === 'constructor' || typeof method !== 'function') continue;
    repository[name] = function (...args) {
      repositoryCalls++;
      return method.apply(this, args);
    };
  }
  const products = app.get(ProductService);
  const first = await products.findOne(1);
  const second = await products.findOne(1);
  const totals = { hits: 0, misses: 0, loads: 0 };
  for (const stats of Object.values(app.get(CacheKit).stats()))
    for (const field of Object.keys(totals)) totals[field] += stats[field];
  console.log(JSON.stringify({ first, second, repositoryCalls, totals }));
} finally {
  await app.close();
}
`;

describe('README Quick start', () => {
  let blocks: { file: string; code: string }[];
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    if (!existsSync(join(root, 'dist/lib/index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
    blocks = quickStartBlocks();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'src'), { recursive: true });
    for (const { file, code } of blocks) writeFileSync(join(dir, 'src', file), code);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../tsconfig.json',
        compilerOptions: { rootDir: 'src', outDir: 'out', noEmit: false, declaration: false, sourceMap: false },
        include: ['src'],
      }),
    );
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: root }).catch((error) => {
      throw new Error(`The Quick start does not compile:\n${error.stdout}${error.stderr}`);
    });
    writeFileSync(join(dir, 'out/check.mjs'), CHECK);
    // The Quick start reads REDIS_URL: without it, the module uses its memory store.
    env = { ...process.env };
    delete env.REDIS_URL;
  });

  it('boots, and a second call of the cached method is a hit (the repository is called once)', async () => {
    const modules = blocks
      .filter((block) => block.file !== 'main.ts')
      .map((block) => block.file.replace(/\.ts$/, '.js'));
    const { stdout } = await run(process.execPath, ['check.mjs', ...modules.map((file) => `./${file}`)], {
      cwd: join(dir, 'out'),
      env,
      timeout: 20_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
    expect(result.first).toMatchObject({ id: 1 });
    expect(result.second).toEqual(result.first);
    expect(result.repositoryCalls).toBe(1);
    expect(result.totals).toEqual({ hits: 1, misses: 1, loads: 1 });
  });

  it('runs its main.ts as written', async (context) => {
    if (!blocks.some((block) => block.file === 'main.ts')) context.skip();
    const { stdout } = await run(process.execPath, ['main.js'], { cwd: join(dir, 'out'), env, timeout: 20_000 });
    expect(stdout).toMatch(/hits: 1,/);
  });
});
