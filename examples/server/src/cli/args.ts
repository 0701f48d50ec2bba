/**
 * @module cli/args
 * Argument parsing for the `tributary` commands on node:util `parseArgs`: every command declares its
 * options once, with the help text printed by `--help`. A bad invocation is a {@link UsageError}
 * (exit code 2); any other failure exits 1.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit codes of every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A wrong invocation: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The command the message is about, for the `--help` pointer. */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** A command's options for `parseArgs`, plus their help lines. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string; valueName?: string };

/** A command's declaration. */
export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** `tributary import <file> [options]` */
  usage: string;
  /** Paragraphs after the usage line. */
  details?: string;
  options: Record<string, OptionSpec>;
  /** Positionals: exact count, or a range. */
  positionals?: { min: number; max: number; names: string };
  examples?: string[];
}

type Values = Record<string, string | boolean | string[] | undefined>;

/** True when the arguments ask for help (the command's help is printed and nothing runs). */
export const wantsHelp = (argv: readonly string[]) => argv.includes('--help') || argv.includes('-h');

/** Parses a command's arguments. @throws UsageError */
export function parseCommand(spec: CommandSpec, argv: string[]): { values: Values; positionals: string[] } {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, { description: _d, valueName: _v, ...option }] of Object.entries(spec.options)) options[name] = option;
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
  } catch (error) {
    // parseArgs' messages name the option ("Unknown option '--x'"); its error codes are ERR_PARSE_ARGS_*.
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''), spec.name);
  }
  const range = spec.positionals ?? { min: 0, max: 0, names: '' };
  if (parsed.positionals.length < range.min) throw new UsageError(`missing ${range.names}`, spec.name);
  if (parsed.positionals.length > range.max) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[range.max])}`, spec.name);
  return parsed;
}

/** The `--help` text of a command. */
export function helpText(spec: CommandSpec): string {
  const lines = [`Usage: ${spec.usage}`, '', spec.summary];
  if (spec.details) lines.push('', spec.details);
  const entries = Object.entries(spec.options);
  lines.push('', 'Options:');
  const labels = entries.map(([name, o]) => `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}`);
  const width = Math.max(...labels.map((l) => l.length), '-h, --help'.length) + 2;
  entries.forEach(([, o], i) => lines.push(`  ${labels[i]!.padEnd(width)}${o.description}`));
  lines.push(`  ${'-h, --help'.padEnd(width)}Show this help`);
  if (spec.examples?.length) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

/** A string option's value, or undefined. */
export const stringOption = (values: Values, name: string): string | undefined => {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
};

/** A positive integer option. @throws UsageError */
export function intOption(values: Values, name: string, command: string, fallback: number, min = 1): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, not ${JSON.stringify(raw)}`, command);
  return n;
}

/** An option restricted to some values. @throws UsageError */
export function choiceOption<T extends string>(values: Values, name: string, command: string, choices: readonly T[]): T | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, not ${JSON.stringify(raw)}`, command);
  return raw as T;
}
