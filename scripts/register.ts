/**
 * npm run register -- --model DIR [--name NAME] [--reason TEXT]
 * Uploads a model artifact (made by `npm run train`, here or elsewhere) to the registry as a new
 * version: checked before upload, verified after; no alias moves (promote it with POST
 * /model/promote). The registry is npm start's unless S3_ENDPOINT says otherwise
 * (scripts/cli/registry-target.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { registerArtifact } from './cli/registry-models.ts';
import { runCli, UsageError } from './cli/args.ts';

const USAGE = 'usage: npm run register -- --model DIR [--name NAME] [--reason TEXT]';

await runCli(async () => {
  const { values, positionals } = parseArgs({
    options: { model: { type: 'string' }, name: { type: 'string' }, reason: { type: 'string' }, help: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}\n${USAGE}`);
  if (!values.model) throw new UsageError(`--model DIR is required\n${USAGE}`);
  const files = await readDirectory(values.model);
  const registered = await registerArtifact(files, { name: values.name, source: values.model, reason: values.reason });
  process.stdout.write(`registered ${registered.name} ${registered.version} from ${values.model} in ${registered.where} (no alias moved)\n`);
});

async function readDirectory(dir: string): Promise<Map<string, Uint8Array>> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch (err) {
    throw new UsageError(`--model ${dir}: cannot read the directory (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return new Map(await Promise.all(names.map(async (name): Promise<[string, Uint8Array]> => [name, new Uint8Array(await readFile(join(dir, name)))])));
}
