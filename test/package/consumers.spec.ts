// Installs the packed package (`npm pack`, as published) into scratch applications and runs them:
// a CommonJS app that require()s it (Node >= 20.19 loads ES modules through require), an ES module
// app that imports it, and a CommonJS TypeScript app whose types must resolve. All offline.
import { access, readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PackedPackage,
  ensureBuilt,
  pack,
  projectRoot,
  removeScratch,
  runIn,
  scratchApp,
  scratchDir,
} from './packed-package.js';

interface ConsumerReport {
  resolved: string;
  calls: string[];
  loads: number;
  hits: number;
  subpaths: string[];
}

function lastLine(stdout: string): ConsumerReport {
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ConsumerReport;
}

describe('the packed package, installed into consumer apps', () => {
  let dir: string;
  let packed: PackedPackage;

  beforeAll(async () => {
    await ensureBuilt();
    dir = await scratchDir('consumers');
    packed = await pack(dir);
  }, 180_000);
  afterAll(() => (dir ? removeScratch(dir) : undefined));

  it('ships every exports target, the LICENSE and no sources or tests', async () => {
    const manifest = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as {
      exports: Record<string, string | Record<string, string>>;
    };
    const targets = Object.values(manifest.exports).flatMap((entry) =>
      typeof entry === 'string' ? [entry] : Object.values(entry),
    );
    expect(targets.length).toBeGreaterThan(8);
    for (const target of targets) expect(packed.files).toContain(target.replace(/^\.\//, ''));
    expect(packed.files).toContain('LICENSE');
    expect(await readFile(join(projectRoot, 'LICENSE'), 'utf8')).toMatch(
      /^MIT License[\s\S]*nestjs-cachekit contributors/,
    );
    expect(packed.files.filter((file) => !file.startsWith('dist/lib/') && !/^[A-Z]/.test(file))).toEqual([
      'package.json',
    ]);
  });

  it('ships no build output whose source is gone from lib/ (a file moved or deleted since the last build)', async () => {
    const orphans: string[] = [];
    for (const file of packed.files) {
      const built = /^dist\/(lib\/.+?)(\.d\.ts|\.js|\.js\.map)$/.exec(file);
      if (!built) continue;
      const exists = await access(join(projectRoot, `${built[1]}.ts`)).then(
        () => true,
        () => false,
      );
      if (!exists) orphans.push(file);
    }
    expect(packed.files.filter((file) => file.endsWith('.js')).length).toBeGreaterThan(50);
    expect(orphans, 'stale files in dist/: npm run build empties it first').toEqual([]);
  });

  it.each([
    ['cjs-consumer', 'commonjs', 'main.cjs'],
    ['esm-consumer', 'module', 'main.mjs'],
  ] as const)(
    '%s boots CacheKitModule.forRoot({}) (memory store) and serves the second call from the cache',
    async (name, type, main) => {
      const app = await scratchApp(dir, name, type, packed);
      const report = lastLine(await runIn(app, process.execPath, [main]));
      // The tarball's copy, not the project's sources or a self-reference.
      expect(report.resolved.startsWith(join(app, 'node_modules', 'nestjs-cachekit') + sep)).toBe(true);
      expect(report.calls).toEqual(['hello ada #1', 'hello ada #1']);
      expect(report.loads).toBe(1);
      expect(report.hits).toBe(1);
      expect(report.subpaths).toEqual(['function', 'function', 'function']);
    },
    90_000,
  );

  // tsconfig.json: module nodenext. tsconfig.node10.json: module commonjs with the resolution TypeScript 5
  // picks for it (node10), as in most CommonJS Nest apps; it ignores `exports` and needs typesVersions.
  it.each(['tsconfig.json', 'tsconfig.node10.json'])(
    'types resolve for a CommonJS TypeScript consumer (a .cts file, %s)',
    async (tsconfig) => {
      const app = await scratchApp(
        dir,
        `cts-consumer-${tsconfig.replace(/\.json$/, '')}`,
        'commonjs',
        packed,
        'cts-consumer',
      );
      const tsc = join(projectRoot, 'node_modules/typescript/bin/tsc');
      // tsc exits non-zero on any error, including an unused @ts-expect-error (types resolved to any).
      await runIn(app, process.execPath, [tsc, '-p', tsconfig], 120_000);
    },
    150_000,
  );
});
