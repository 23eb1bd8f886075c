/**
 * credit-score register (npm run register): uploads a model artifact (made by `credit-score
 * train`, here or elsewhere) to the registry as a new version: checked before upload, verified
 * after, under the model name its spec carries (or --name); no alias moves (promote it with POST /model/promote). The registry is npm start's unless S3_ENDPOINT says otherwise
 * (scripts/cli/registry-target.ts). Options and help: scripts/cli/commands/register.ts.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { registerArtifact } from './cli/registry-models.ts';
import { runCli, UsageError } from './cli/args.ts';
import { parseCommand, usageHint } from './cli/command.ts';
import { REGISTER } from './cli/commands/register.ts';

await runCli(async () => {
  const parsed = parseCommand(REGISTER, process.argv.slice(2));
  if (!parsed) return;
  const { values } = parsed;
  const model = values.model!;
  const files = await readDirectory(model);
  const registered = await registerArtifact(files, { name: values.name, source: model, reason: values.reason });
  process.stdout.write(
    `registered ${registered.name} ${registered.version} from ${model} in ${registered.where} (no alias moved)\n`,
  );
}, usageHint(REGISTER));

async function readDirectory(dir: string): Promise<Map<string, Uint8Array>> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch (err) {
    throw new UsageError(
      `--model ${dir}: cannot read the directory (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  return new Map(
    await Promise.all(
      names.map(async (name): Promise<[string, Uint8Array]> => [name, new Uint8Array(await readFile(join(dir, name)))]),
    ),
  );
}
