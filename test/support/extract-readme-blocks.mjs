// Writes every ```ts block of README.md and docs/**/*.md under .tmp/readme-blocks/, one folder per
// page, so `tsc -p tsconfig.readme.json` (run by `npm test`) proves each one compiles against the
// built package. A block preceded by `<!-- file: name.ts -->` is written under that name, so blocks
// of one page can import each other ('./app.module.js'); the others become block-N.ts.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const out = '.tmp/readme-blocks';
const BLOCK = /(?:<!-- file: ([\w.-]+\.ts) -->\s*\n)?```ts\n([\s\S]*?)```/g;

function markdownFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

rmSync(out, { recursive: true, force: true });
const pages = ['README.md', ...(existsSync('docs') ? markdownFiles('docs').sort() : [])];
let count = 0;
for (const page of pages) {
  const folder = join(out, page.replace(/\.md$/, ''));
  let unnamed = 0;
  for (const [, file, code] of readFileSync(page, 'utf8').matchAll(BLOCK)) {
    const target = join(folder, file ?? `block-${++unnamed}.ts`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
    count++;
  }
}
console.log(`[test] extracted ${count} TypeScript blocks from ${pages.length} pages (README.md, docs/)`);
