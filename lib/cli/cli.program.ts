import { Command, CommanderError } from 'commander';
import { CacheKitCliError } from './cli.errors.js';
import { cliMessages } from './cli.messages.js';
import { CliContext, CliIo, GlobalOptions } from './cli-context.js';
import { clearCommand } from './commands/clear.command.js';
import { evictTagCommand } from './commands/evict-tag.command.js';
import { inspectCommand } from './commands/inspect.command.js';
import { keysCommand } from './commands/keys.command.js';
import { reportCommand } from './commands/report.command.js';
import { statsCommand } from './commands/stats.command.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * Runs one `cachekit` command line; resolves with the exit code (0 done, 1 failed, 2 bad usage).
 * @example process.exitCode = await runCli(process.argv.slice(2), { out: console.log, err: process.stderr });
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command('cachekit')
    .description("Operate a nestjs-cachekit cache in Redis: instances' stats, entries, evictions (SCAN, never KEYS).")
    .option('--redis <url>', 'Redis URL (default: $REDIS_URL, else redis://127.0.0.1:6379)')
    .option('--cluster <nodes>', 'Redis Cluster startup nodes, host:port[,host:port...] (instead of --redis)')
    .option('--namespace <name>', "the app's 'namespace' option", 'cache')
    .option('--batch <n>', 'SCAN COUNT per call', '1000')
    .option('--json', 'print JSON (progress stays on stderr)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err.write(text) });

  const run = (action: (ctx: CliContext) => Promise<void>) => async () => {
    const ctx = await CliContext.open(program.opts<GlobalOptions>(), io);
    try {
      await action(ctx);
    } finally {
      await ctx.close();
    }
  };

  program
    .command('stats')
    .description('counters per cache name, summed over running instances (needs the statsBeacon option in the app)')
    .action(run((ctx) => statsCommand(ctx)));
  program
    .command('report')
    .description('"does this cache pay?" per cache name, from the running instances')
    .action(run((ctx) => reportCommand(ctx)));
  program
    .command('inspect <cache> [key-json]')
    .description('one entry: TTL left, soft/hard expiry, tags and their versions, size')
    .option('--args <json>', "the method's arguments as a JSON array, for a definition without a key function")
    .option(
      '--tag <tag>',
      "a tag of the entry, in the definition's order (repeat); checked against its current version",
      collect,
      [],
    )
    .action((cache: string, keyJson: string | undefined, options: { args?: string; tag: string[] }) =>
      run((ctx) => inspectCommand(ctx, cache, { keyJson, argsJson: options.args, tags: options.tag }))(),
    );
  program
    .command('keys [cache]')
    .description('entry keys of a cache (or every key of the namespace), by SCAN')
    .option('--limit <n>', 'keys to print at most', '100')
    .action((cache: string | undefined, options: { limit: string }) =>
      run((ctx) => keysCommand(ctx, cache, positive('--limit', options.limit)))(),
    );
  program
    .command('evict-tag <tags...>')
    .description('evict every entry carrying any of these tags, as CacheKit.evictTags does')
    .action((tags: string[]) => run((ctx) => evictTagCommand(ctx, tags))());
  program
    .command('clear <cache>')
    .description('evict every entry of a cache at once, then unlink its keys by SCAN (progress on stderr)')
    .action((cache: string) => run((ctx) => clearCommand(ctx, cache))());

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    // An operator reads one line, not a stack: the Redis error's own text says enough.
    io.err.write(`cachekit: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function positive(option: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CacheKitCliError(cliMessages.invalidPositive(option, value));
  return n;
}
