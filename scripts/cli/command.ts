/**
 * A command of the `credit-score` CLI, declared once: its options (as node's parseArgs takes
 * them), a line of help per option, its positional arguments. The parser, the usage shown with
 * an error and the --help text all derive from that one declaration, so they cannot drift apart.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, usageErrorOf } from './usage-error.ts';
import { PACKAGE_VERSION } from './version.ts';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export interface OptionHelp {
  /** The value's placeholder (FILE, DIR, N); none for a flag. */
  value?: string;
  text: string;
  required?: boolean;
}

export interface CommandSpec<O extends OptionsConfig = OptionsConfig> {
  /** The words after `credit-score` ("train", "spec init"). */
  name: string;
  /** The script under scripts/ that runs it. */
  script: string;
  /** The `npm run` form kept as an alias, if there is one. */
  npmScript?: string;
  /** One line for `credit-score --help`. */
  title: string;
  summary: string;
  /** Positional arguments, e.g. { names: 'FILE', min: 1, max: 1 }; none when absent. */
  positionals?: { names: string; min: number; max: number };
  options: O;
  help: { [K in keyof O]: OptionHelp };
  /** Paragraphs after the options (environment, exit codes). */
  notes?: string[];
}

/** Every command takes these; they are handled here, never by the command itself. */
const BUILT_IN = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

export type ParsedCommand<O extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>
>;

/**
 * Parses `argv` for `command`. Answers null when --help or --version was answered (the caller
 * does nothing more); throws UsageError for an unknown option, a missing value, an unexpected
 * or missing positional argument, or a missing required option.
 */
export function parseCommand<O extends OptionsConfig>(
  command: CommandSpec<O>,
  argv: string[],
): ParsedCommand<O> | null {
  const parsed = parseArgs({
    args: argv,
    options: { ...command.options, ...BUILT_IN },
    strict: true,
    allowPositionals: true,
  });
  const values = parsed.values as Record<string, unknown>;
  if (values.help) {
    process.stdout.write(helpText(command));
    return null;
  }
  if (values.version) {
    process.stdout.write(`${PACKAGE_VERSION}\n`);
    return null;
  }
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length > max) throw new UsageError(`unexpected argument "${parsed.positionals[max]}"`);
  if (parsed.positionals.length < min) throw new UsageError(`missing ${command.positionals!.names}`);
  for (const [name, help] of Object.entries(command.help) as [string, OptionHelp][]) {
    if (help.required && values[name] === undefined)
      throw new UsageError(`--${name}${help.value ? ` ${help.value}` : ''} is required`);
  }
  delete values.help;
  delete values.version;
  return parsed as unknown as ParsedCommand<O>;
}

/**
 * For scripts that run at top level rather than inside runCli (serve, start, s3): true to go on;
 * false once --help or --version was answered, or a usage error printed with exit code 2.
 */
export function acceptCommandLine(command: CommandSpec, argv: string[]): boolean {
  try {
    return parseCommand(command, argv) !== null;
  } catch (err) {
    const usage = usageErrorOf(err);
    if (!usage) throw err;
    process.stderr.write(`error: ${usage.message}\n${usageHint(command)}`);
    process.exitCode = 2;
    return false;
  }
}

/** The one-line synopsis: `credit-score predict --model DIR --data FILE [options]`. */
export function synopsis(command: CommandSpec): string {
  const required = Object.entries(command.help)
    .filter(([, h]) => h.required)
    .map(([name, h]) => `--${name}${h.value ? ` ${h.value}` : ''}`);
  const optional = Object.values(command.help).some((h) => !h.required) ? ['[options]'] : [];
  const positionals = command.positionals
    ? [command.positionals.min ? command.positionals.names : `[${command.positionals.names}]`]
    : [];
  return ['credit-score', command.name, ...positionals, ...required, ...optional].join(' ');
}

/** What a usage error prints after its one line: the synopsis and where the full help is. */
export function usageHint(command: CommandSpec): string {
  return `usage: ${synopsis(command)}\n       (credit-score ${command.name} --help lists the options)\n`;
}

export function helpText(command: CommandSpec): string {
  const rows = Object.entries(command.options).map(([name, config]) => {
    const help = command.help[name];
    const short = config.short ? `-${config.short}, ` : '';
    const fallback =
      config.default !== undefined && config.type === 'string' ? ` (default: ${String(config.default)})` : '';
    return [
      `${short}--${name}${help.value ? ` ${help.value}` : ''}`,
      `${help.required ? 'required: ' : ''}${help.text}${fallback}`,
    ];
  });
  rows.push(['-h, --help', 'print this help'], ['--version', 'print the version']);
  // A long option (predict's --model) puts its text on the next line rather than pushing every text right.
  const LONG = 30;
  const width = Math.max(...rows.map(([left]) => (left.length > LONG ? 0 : left.length))) + 2;
  const lines = [
    `usage: ${synopsis(command)}`,
    ...(command.npmScript ? [`   or: npm run ${command.npmScript} -- ...`] : []),
    '',
    command.summary,
    '',
    'options:',
    ...rows.map(([left, right]) =>
      left.length > LONG ? `  ${left}\n  ${' '.repeat(width)}${right}` : `  ${left.padEnd(width)}${right}`,
    ),
    ...(command.notes ?? []).flatMap((note) => ['', note]),
  ];
  return lines.join('\n') + '\n';
}
