// Uses the built package (run `npm run build` first; `npm test` does): the `cachekit` bin as
// package.json names it, run by Node in its own process, and the new subpaths through the exports map.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { uniqueNamespace } from '../support/app.js';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

describe('the built cachekit bin', () => {
  it('is declared in package.json, starts with a shebang and runs a command against real Redis', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const bin = join(ROOT, pkg.bin.cachekit);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const namespace = uniqueNamespace();
    const redis = new Redis(inject('redisUrl'));
    try {
      await redis.set(`{${namespace}:product:#1}`, '1.1 0\nx');
      const { stdout } = await run(process.execPath, [
        bin,
        '--redis',
        inject('redisUrl'),
        '--namespace',
        namespace,
        '--json',
        'keys',
      ]);
      expect(JSON.parse(stdout)).toMatchObject({ matched: 1, keys: [`{${namespace}:product:#1}`] });
    } finally {
      await redis.quit();
    }
  });

  it('exposes the terminus, opentelemetry and dashboard subpaths', async () => {
    const [terminus, otel, dashboard] = await Promise.all([
      import('nestjs-cachekit/terminus'),
      import('nestjs-cachekit/opentelemetry'),
      import('nestjs-cachekit/dashboard'),
    ]);
    expect(typeof terminus.CacheKitHealthModule.forRoot).toBe('function');
    expect(typeof otel.CacheKitOpenTelemetryModule.forRoot).toBe('function');
    expect(typeof dashboard.CacheKitDashboardModule.forRoot).toBe('function');
  });
});
