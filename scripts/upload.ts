/**
 * credit-score upload FILE [--key data/NAME.csv]: puts a CSV into the bucket the service reads
 * (npm start's store, or S3_ENDPOINT's: scripts/cli/registry-target.ts), under data/, so that
 * POST /model/retrain and POST /drift/check can name it as their dataKey. The file must read as
 * a CSV with a header and rows (the service would refuse it later, further from the cause), and
 * an existing key is never replaced: a past retrain job's registration names its data by key.
 * Options and help: scripts/cli/commands/upload.ts.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readCsvFile } from '../lib/data/dataset.ts';
import { dataKeyProblem, PREFIXES } from '../lib/state/layout.ts';
import { runCli, UsageError } from './cli/args.ts';
import { parseCommand, usageHint } from './cli/command.ts';
import { UPLOAD } from './cli/commands/upload.ts';
import { openRegistry } from './cli/registry-target.ts';

await runCli(async () => {
  const parsed = parseCommand(UPLOAD, process.argv.slice(2));
  if (!parsed) return;
  const [file] = parsed.positionals;
  const key = parsed.values.key ?? `${PREFIXES.data}${basename(file)}`;
  const problem = dataKeyProblem(key);
  if (problem)
    throw new UsageError(
      `${parsed.values.key ? '--key' : `the key from the file name (${key})`} ${problem}${parsed.values.key ? `, got ${key}` : '; name one with --key'}`,
    );
  const csv = readCsvFile(file);
  const bytes = new Uint8Array(readFileSync(file));
  const target = await openRegistry();
  try {
    const put = await target.registry.store.put(key, bytes, {
      contentType: 'text/csv',
      condition: { ifNoneMatch: '*' },
    });
    if (!put.written) throw new UsageError(`${key} already exists in ${target.description}; choose another --key`);
    process.stdout.write(
      `uploaded ${file} (${csv.records.length} rows, ${bytes.byteLength} bytes) to ${key} in ${target.description}\n`,
    );
    process.stdout.write(
      `dataKey: ${key}  (POST /model/retrain {"dataKey": "${key}"}, POST /drift/check {"dataKey": "${key}"})\n`,
    );
  } finally {
    await target.close();
  }
}, usageHint(UPLOAD));
