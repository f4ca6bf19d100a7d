// `npm start` transpiles the sample file by file (scripts/build-sample.mjs, swc), without the type
// information tsc has: an interface imported without `type` and named in a decorated signature is
// kept as an import, and Node's ES module loader refuses to link it. Vitest's loader tolerates that
// (a missing export is undefined there), so only loading the real build under Node catches it.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, removeScratch, runIn, scratchDir } from './packed-package.js';

describe("npm start's build of the sample (scripts/build-sample.mjs)", () => {
  let dir: string;

  beforeAll(async () => {
    dir = await scratchDir('sample-build');
  });
  afterAll(() => (dir ? removeScratch(dir) : undefined));

  it('emits modules that all load under Node, with their decorator metadata', async () => {
    await runIn(projectRoot, process.execPath, ['scripts/build-sample.mjs', '--out-dir', dir]);
    const emitted = (await readdir(dir, { recursive: true }))
      .filter((file) => file.endsWith('.js') && file !== join('sample', 'main.js'))
      .map((file) => pathToFileURL(join(dir, file)).href);
    expect(emitted.length).toBeGreaterThan(50);
    // main.js is left out: importing it would start the server. Everything it imports is loaded.
    const loader = join(dir, 'load-all.mjs');
    await writeFile(
      loader,
      [
        "import 'reflect-metadata';",
        `for (const url of ${JSON.stringify(emitted)}) await import(url);`,
        `const { ProductsService } = await import(${JSON.stringify(pathToFileURL(join(dir, 'sample/products/products.service.js')).href)});`,
        "console.log(JSON.stringify(Reflect.getMetadata('design:paramtypes', ProductsService).map((type) => type.name)));",
      ].join('\n'),
    );
    const stdout = await runIn(dir, process.execPath, [loader]);
    // Injection by type needs the constructor's parameter types, as tsc's emitDecoratorMetadata writes them.
    expect(JSON.parse(stdout.trim())).toEqual(['Repository', 'DataSource']);
  }, 60_000);
});
