/**
 * credit-score COMMAND [options]: one entry for every command (package.json's bin;
 * bin/credit-score.mjs loads this through tsx). The command line is checked against the
 * command's declaration (scripts/cli/commands/) here, so --help answers without loading the
 * command's code; then the command's script runs with the rest of the arguments, exactly as
 * its `npm run` alias runs it.
 */
import { fileURLToPath } from 'node:url';
import { UsageError } from './cli/args.ts';
import { parseCommand, usageHint, type CommandSpec } from './cli/command.ts';
import { COMMANDS } from './cli/commands/index.ts';
import { usageErrorOf } from './cli/usage-error.ts';
import { PACKAGE_VERSION } from './cli/version.ts';

const argv = process.argv.slice(2);
const command = COMMANDS.find((c) => c.name.split(' ').every((word, i) => argv[i] === word));

if (command) {
  const rest = argv.slice(command.name.split(' ').length);
  let accepted = false;
  try {
    accepted = parseCommand(command, rest) !== null;
  } catch (err) {
    fail(usageErrorOf(err) ?? (err as Error), usageHint(command));
  }
  if (accepted) {
    // The script reads its arguments from process.argv, as when `npm run` starts it.
    const script = new URL(command.script, import.meta.url);
    process.argv = [process.argv[0], fileURLToPath(script), ...rest];
    await import(script.href);
  }
} else {
  const [first] = argv;
  const group = COMMANDS.filter((c) => c.name.startsWith(`${first} `));
  if (first === '--help' || first === '-h') process.stdout.write(overview(COMMANDS));
  else if (first === '--version') process.stdout.write(`${PACKAGE_VERSION}\n`);
  else if (first === undefined) fail(new UsageError('no command given'), overview(COMMANDS));
  else if (group.length && (argv[1] === '--help' || argv[1] === '-h')) process.stdout.write(overview(group));
  else if (group.length)
    fail(
      new UsageError(
        argv[1] === undefined
          ? `"${first}" needs one of: ${group.map((c) => c.name.slice(first.length + 1)).join(', ')}`
          : `unknown command "${first} ${argv[1]}"`,
      ),
      overview(group),
    );
  else
    fail(
      new UsageError(first.startsWith('-') ? `unknown option "${first}"` : `unknown command "${first}"`),
      overview(COMMANDS),
    );
}

function fail(err: Error, usage: string): void {
  process.stderr.write(`error: ${err.message}\n${usage}`);
  process.exitCode = 2;
}

function overview(commands: readonly CommandSpec[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'usage: credit-score COMMAND [options]     (credit-score COMMAND --help lists its options)',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.title}`),
    '',
    'options: -h, --help (this help), --version (the version)',
    'exit codes: 0 done, 1 failed (the message says why), 2 bad command line',
    '',
  ].join('\n');
}
