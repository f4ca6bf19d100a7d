import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** uPlot's own minified script and stylesheet, read from its installed package once (no build step). */
export interface UplotAssets {
  script: string;
  css: string;
}

let assets: UplotAssets | undefined;

/** The files, read at the first request for them and kept (they never change while the app runs). */
export function uplotAssets(): UplotAssets {
  if (assets) return assets;
  const require = createRequire(import.meta.url);
  assets = {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return assets;
}
