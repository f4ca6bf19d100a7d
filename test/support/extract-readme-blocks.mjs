// Writes every ```ts block of README.md to .tmp/readme-blocks/block-N.ts, so `tsc` (run by
// `npm test`) proves each one compiles against the built package.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const out = '.tmp/readme-blocks';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const blocks = [...readFileSync('README.md', 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
blocks.forEach((code, i) => writeFileSync(`${out}/block-${i + 1}.ts`, code));
console.log(`[test] extracted ${blocks.length} TypeScript blocks from README.md`);
