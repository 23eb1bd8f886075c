/**
 * npm run predict -- --model DIR --data FILE [--out FILE]
 * Scores a CSV of raw rows (identifiers and target optional) with a saved artifact, cleaning
 * every value exactly as training did. Writes CSV: the row's identifiers, the predicted class
 * and one probability column per class.
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { readArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { cleanRecords, readCsvFile } from '../lib/data/dataset.ts';
import { Predictor } from '../lib/serving/predictor.ts';
import { runCli, UsageError } from './cli/args.ts';

await runCli(async () => {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' } },
    strict: true,
  });
  if (!values.model || !values.data) throw new UsageError('usage: npm run predict -- --model DIR --data FILE [--out FILE]');
  const { bundle } = await readArtifactDirectory(values.model);
  const predictor = new Predictor(bundle);
  const csv = readCsvFile(values.data);
  const rows = cleanRecords(csv, bundle.spec, values.data);
  const ids = bundle.spec.identifiers.filter((c) => csv.header.includes(c));
  const idIndex = ids.map((c) => csv.header.indexOf(c));
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  const classes = predictor.classes;
  out.write([...ids, 'prediction', ...classes.map((c) => `p_${c}`)].map(csvField).join(',') + '\n');
  const unknown = new Set<string>();
  rows.forEach((row, r) => {
    const p = predictor.predictClean(row);
    for (const note of p.notes) unknown.add(note);
    out.write([...idIndex.map((i) => csv.records[r][i]), p.label, ...classes.map((c) => p.probabilities[c].toFixed(6))].map(csvField).join(',') + '\n');
  });
  if (out !== process.stdout) await new Promise<void>((done) => (out as NodeJS.WritableStream).end(done));
  for (const note of unknown) process.stderr.write(`note: ${note}\n`);
  process.stderr.write(`scored ${rows.length} rows with ${bundle.name} (${bundle.classifier}+${bundle.sampler})\n`);
});

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
