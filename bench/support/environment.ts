import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

// Compiled to .bench-build/bench/support/: three levels below the repository root.
const ROOT = new URL('../../../', import.meta.url);

/** The installed version of a package, read from its package.json (not every package exports it). */
export function versionOf(name: string): string {
  try {
    const manifest = readFileSync(new URL(`node_modules/${name}/package.json`, ROOT), 'utf8');
    return (JSON.parse(manifest) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1].trim();
  } catch {
    // not Linux: fall back to what node reports
  }
  return cpus()[0]?.model ?? 'unknown';
}

export interface Environment {
  date: string;
  node: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  /** 1/5/15-minute load averages at the start: other work on the machine shows up as noise. */
  loadAverage: number[];
  redis: string;
  packages: Record<string, string>;
}

export function describeEnvironment(redis: string): Environment {
  const packages = [
    'ioredis',
    '@nestjs/core',
    'bentocache',
    'cache-manager',
    'keyv',
    '@keyv/redis',
    'cacheable',
    '@msgpack/msgpack',
    'superjson',
    'devalue',
  ];
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpuModel(),
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage: loadAverageNow(),
    redis,
    packages: Object.fromEntries(packages.map((name) => [name, versionOf(name)])),
  };
}

export function loadAverageNow(): number[] {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}

export function renderEnvironment(env: Environment, mode: string): string {
  return [
    `# nestjs-cachekit bench (${mode})`,
    '',
    `- date: ${env.date}`,
    `- node: ${env.node}; cpu: ${env.cpu}; cores: ${env.cores}; memory: ${env.memoryGiB} GiB`,
    `- load average at start (1/5/15 min): ${env.loadAverage.join(' / ')}`,
    `- redis: ${env.redis}`,
    `- peers: ${Object.entries(env.packages)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}`,
  ].join('\n');
}
