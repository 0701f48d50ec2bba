/**
 * @module cli/main
 * The `tributary` command line: `serve`, `sync`, `analyze`, `import`, `dlq list|replay`, `migrate`,
 * `keys rotate`.
 * Data goes to stdout (NDJSON, tables), messages and progress to stderr. Exit codes: 0 done, 1 failed,
 * 2 wrong usage. `tributary <command> --help` describes each.
 */
import { EXIT, UsageError, helpText, wantsHelp, type CommandSpec } from './args.js';
import { analyzeSpec, dlqListSpec, dlqReplaySpec, dlqSpec, importSpec, keysRotateSpec, keysSpec, migrateSpec, serveSpec, syncSpec } from './specs.js';

type Run = (argv: string[]) => Promise<number | 'running'>;

// Implementations load on use: `--help` and usage errors answer without the engines and analyzers.
const DLQ: Record<string, { spec: CommandSpec; run: Run }> = {
  list: { spec: dlqListSpec, run: async (argv) => (await import('./commands/dlq.js')).dlqList(argv) },
  replay: { spec: dlqReplaySpec, run: async (argv) => (await import('./commands/dlq.js')).dlqReplay(argv) },
};

const COMMANDS: Record<string, { spec: CommandSpec; run: Run }> = {
  serve: { spec: serveSpec, run: async (argv) => (await import('./commands/serve.js')).serveCommand(argv) },
  sync: { spec: syncSpec, run: async (argv) => (await import('./commands/sync.js')).syncCommand(argv) },
  analyze: { spec: analyzeSpec, run: async (argv) => (await import('./commands/analyze.js')).analyzeCommand(argv) },
  import: { spec: importSpec, run: async (argv) => (await import('./commands/import.js')).importCommand(argv) },
  dlq: {
    spec: dlqSpec,
    run: async (argv) => {
      const [sub, ...rest] = argv;
      if (sub === undefined || sub.startsWith('-')) {
        if (sub !== undefined && wantsHelp([sub])) return printHelp(dlqSpec);
        throw new UsageError('missing subcommand: list or replay', 'dlq');
      }
      const command = DLQ[sub];
      if (!command) throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}: use list or replay`, 'dlq');
      if (wantsHelp(rest)) return printHelp(command.spec);
      return command.run(rest);
    },
  },
  migrate: { spec: migrateSpec, run: async (argv) => (await import('./commands/migrate.js')).migrateCommand(argv) },
  keys: {
    spec: keysSpec,
    run: async (argv) => {
      const [sub, ...rest] = argv;
      if (sub === undefined || sub.startsWith('-')) {
        if (sub !== undefined && wantsHelp([sub])) return printHelp(keysSpec);
        throw new UsageError('missing subcommand: rotate', 'keys');
      }
      if (sub !== 'rotate') throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}: use rotate`, 'keys');
      if (wantsHelp(rest)) return printHelp(keysRotateSpec);
      return (await import('./commands/keys.js')).keysRotate(rest);
    },
  },
};

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 3;
  return [
    'Usage: tributary <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, { spec }]) => `  ${name.padEnd(width)}${spec.summary}`),
    '',
    'Run `tributary <command> --help` for its options. Configuration comes from the environment, as for the',
    'server (DATABASE_URL, REDIS_URL, TRIBUTARY_DATA_DIR…: see examples/server/README.md).',
    '',
  ].join('\n');
}

function printHelp(spec: CommandSpec): number {
  process.stdout.write(helpText(spec));
  return EXIT.ok;
}

/** Runs the command line; resolves with the exit code, or `'running'` for a server. */
export async function run(argv: string[]): Promise<number | 'running'> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(overview());
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(overview());
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    if (name !== 'dlq' && name !== 'keys' && wantsHelp(rest)) return printHelp(command.spec);
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      const where = error.command ?? (command ? name : undefined);
      process.stderr.write(`tributary${where ? ` ${where}` : ''}: ${error.message}\nRun \`tributary ${where ? `${where} ` : ''}--help\` for usage.\n`);
      return EXIT.usage;
    }
    const e = error as Error;
    // Tributary errors read `[tributary] [component] message`: enough for a person; no stack.
    process.stderr.write(`tributary ${name}: ${e?.message ?? String(error)}\n`);
    if (process.env.TRIBUTARY_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
    return EXIT.failure;
  }
}

const code = await run(process.argv.slice(2));
// One-off commands end here even if a client left a timer or socket open; a server keeps running.
if (code !== 'running') process.exit(code);
