/**
 * credit-score spec init --data FILE --target COLUMN [--name NAME] [--out FILE]: a starting
 * dataset spec guessed from a CSV (lib/data/spec-init.ts does the guessing), written as JSON for
 * the user to edit; its "name" is the model's name in the registry. Options and help: scripts/cli/commands/spec-init.ts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readCsvFile } from '../lib/data/dataset.ts';
import { inferSpec } from '../lib/data/spec-init.ts';
import { runCli } from './cli/args.ts';
import { parseCommand, usageHint } from './cli/command.ts';
import { SPEC_INIT } from './cli/commands/spec-init.ts';
import { nameOption } from './cli/model-name.ts';
import { checkOutputFile } from './cli/output-path.ts';

await runCli(async () => {
  const parsed = parseCommand(SPEC_INIT, process.argv.slice(2));
  if (!parsed) return;
  const { data, target, out } = parsed.values;
  const name = nameOption(parsed.values.name);
  if (out) checkOutputFile(out, 'out');
  const json = JSON.stringify(inferSpec(readCsvFile(data!), target!, name), null, 2) + '\n';
  if (!out) {
    process.stdout.write(json);
    return;
  }
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, json);
  process.stderr.write(
    `wrote ${out}: a starting spec to edit (check every column's type; "name" is the model's name in the registry), then train with --spec ${out}\n`,
  );
}, usageHint(SPEC_INIT));
