// Builds the tarball `npm publish` would upload and installs it into scratch applications, offline:
// the tarball is extracted into the app's node_modules, and everything else (peers, lru-cache)
// resolves by Node's walk up from `.tmp/` to the project's own node_modules.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The project root (where package.json is). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A tarball made by `npm pack`, and the paths it holds (relative, without the `package/` prefix). */
export interface PackedPackage {
  readonly tarball: string;
  readonly files: readonly string[];
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` unless dist/ is newer than every file under lib/ (`npm test` has just built it). */
export async function ensureBuilt(): Promise<void> {
  const built = await stat(join(projectRoot, 'dist/lib/index.js')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  if (built > (await newestMtime(join(projectRoot, 'lib')))) return;
  await run('npm', ['run', 'build', '--silent'], { cwd: projectRoot, timeout: 120_000 });
}

/** A fresh directory under `.tmp/` (inside the project, so its node_modules is found by walking up). */
export async function scratchDir(prefix: string): Promise<string> {
  await mkdir(join(projectRoot, '.tmp'), { recursive: true });
  return mkdtemp(join(projectRoot, '.tmp', `${prefix}-`));
}

/** Packs the project into `dir`, as `npm publish` would (scripts off: the build is ensured before). */
export async function pack(dir: string): Promise<PackedPackage> {
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
    cwd: projectRoot,
    timeout: 60_000,
  });
  const [report] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  return { tarball: join(dir, report.filename), files: report.files.map((file) => file.path) };
}

/**
 * Copies a fixture app from `test/package/fixtures/<fixture>` to `dir/<name>`, gives it a package.json
 * of the given module type and installs the tarball into its node_modules the way npm lays it out;
 * returns the app's directory.
 */
export async function scratchApp(
  dir: string,
  name: string,
  type: 'commonjs' | 'module',
  packed: PackedPackage,
  fixture = name,
): Promise<string> {
  const app = join(dir, name);
  await cp(join(projectRoot, 'test/package/fixtures', fixture), app, { recursive: true });
  // Written here, not kept in the fixture: there, a package.json would hide the project's own and
  // stop `tsc -p tsconfig.json` from resolving the .cts fixture's imports by self-reference.
  await writeFile(join(app, 'package.json'), JSON.stringify({ name, private: true, type }));
  const installed = join(app, 'node_modules/nestjs-cachekit');
  await mkdir(installed, { recursive: true });
  await run('tar', ['-xzf', packed.tarball, '-C', installed, '--strip-components=1'], { timeout: 30_000 });
  return app;
}

/** Runs a command in `cwd` and returns its stdout; rejects with its stderr when it fails. */
export async function runIn(cwd: string, command: string, args: string[], timeout = 60_000): Promise<string> {
  try {
    return (await run(command, args, { cwd, timeout })).stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stderr || stdout}`, { cause: error });
  }
}

/** Removes a scratch directory made by scratchDir. */
export function removeScratch(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}
