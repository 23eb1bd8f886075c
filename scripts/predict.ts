/**
 * npm run predict -- --model DIR|registry:ALIAS|registry:VERSION --data FILE [--out FILE]
 *   [--explain N [--explain-method exact|approx]]
 * Scores a CSV of raw rows (identifiers and target optional) with a saved artifact, or with a
 * model of the registry (npm start's, or S3_ENDPOINT's: scripts/cli/registry-target.ts), cleaning
 * every value exactly as training did. Writes CSV: the row's identifiers, the predicted class
 * and one probability column per class; with --explain, the predicted class's base value and
 * its top N reasons (source column, the value in the file, contribution), as /predict?explain=N.
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { readArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { cleanRecords, readCsvFile } from '../lib/data/dataset.ts';
import { Preprocessor } from '../lib/data/preprocessor.ts';
import { argmaxRows } from '../lib/evaluation/metrics.ts';
import { featureSources, MAX_REASONS, reasonCodes } from '../lib/explain/reason-codes.ts';
import { EXPLAIN_METHODS, ExplainUnavailableError, TreeExplainer, type ExplainMethod } from '../lib/explain/tree-shap.ts';
import { ParallelBatchPredictor } from '../lib/trees/parallel-batch-predictor.ts';
import { runCli, UsageError } from './cli/args.ts';
import { loadRegistryModel, REGISTRY_PREFIX } from './cli/registry-models.ts';

/** Below this, starting worker threads costs more than they save. */
const PARALLEL_FROM_ROWS = 8192;

await runCli(async () => {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, explain: { type: 'string' }, 'explain-method': { type: 'string' } },
    strict: true,
  });
  const usage = 'usage: npm run predict -- --model DIR|registry:ALIAS|registry:VERSION --data FILE [--out FILE] [--explain N [--explain-method exact|approx]]';
  if (!values.model || !values.data) throw new UsageError(usage);
  const top = values.explain === undefined ? 0 : Number(values.explain);
  if (values.explain !== undefined && !(Number.isInteger(top) && top >= 1 && top <= MAX_REASONS)) throw new UsageError(`--explain takes a number of reasons from 1 to ${MAX_REASONS}, got ${values.explain}\n${usage}`);
  const method = (values['explain-method'] ?? 'exact') as ExplainMethod;
  if (!EXPLAIN_METHODS.includes(method)) throw new UsageError(`--explain-method is exact or approx, got ${values['explain-method']}\n${usage}`);
  if (values['explain-method'] !== undefined && !top) throw new UsageError(`--explain-method needs --explain N\n${usage}`);
  const { bundle } = values.model.startsWith(REGISTRY_PREFIX) ? await loadRegistryModel(values.model) : await readArtifactDirectory(values.model);
  const preprocessor = new Preprocessor(bundle.preprocessor);
  const csv = readCsvFile(values.data);
  const rows = cleanRecords(csv, bundle.spec, values.data);
  // Features of every row (unseen categories noted once each), then one batch on every core.
  const p = preprocessor.featureCount;
  const X = new Float64Array(rows.length * p);
  const notes: string[] = [];
  rows.forEach((row, i) => preprocessor.transformRow(row, X, i * p, notes));
  const probabilities = rows.length >= PARALLEL_FROM_ROWS ? await predictInParallel(X, rows.length) : bundle.ensemble.predictProbaBatch(X, rows.length);
  async function predictInParallel(matrix: Float64Array, count: number): Promise<Float64Array> {
    const parallel = ParallelBatchPredictor.create(bundle.ensemble);
    return parallel.predictProbaBatch(matrix, count).finally(() => parallel.close());
  }
  const classes = bundle.spec.target.classes;
  const K = classes.length;
  const predicted = argmaxRows(probabilities, K);
  const ids = bundle.spec.identifiers.filter((c) => csv.header.includes(c));
  const idIndex = ids.map((c) => csv.header.indexOf(c));
  let explainer: TreeExplainer | null = null;
  try {
    explainer = top ? new TreeExplainer(bundle.ensemble) : null;
  } catch (err) {
    if (err instanceof ExplainUnavailableError) throw new UsageError(`--explain: ${values.model}: ${err.message}`);
    throw err;
  }
  const sources = featureSources(bundle.preprocessor);
  const reasonHeader = Array.from({ length: top }, (_, j) => [`reason_${j + 1}`, `reason_${j + 1}_value`, `reason_${j + 1}_contribution`]).flat();
  const explainCells = (r: number): string[] => {
    if (!explainer) return [];
    const record = csv.records[r];
    const valueOf = (column: string): string => record[csv.header.indexOf(column)] ?? '';
    const { baseValue, reasons } = reasonCodes(explainer.explain(X, method, r * p), sources, bundle.ensemble.aggregation, predicted[r], top, method, valueOf);
    const cells = reasons.flatMap((reason) => [reason.feature, String(reason.value), reason.contribution.toPrecision(6)]);
    while (cells.length < 3 * top) cells.push('');
    return [baseValue.toPrecision(6), ...cells];
  };
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  out.write([...ids, 'prediction', ...classes.map((c) => `p_${c}`), ...(top ? ['base_value', ...reasonHeader] : [])].map(csvField).join(',') + '\n');
  rows.forEach((_, r) => {
    const cells = [...idIndex.map((i) => csv.records[r][i]), classes[predicted[r]], ...classes.map((_c, k) => probabilities[r * K + k].toFixed(6)), ...explainCells(r)];
    out.write(cells.map(csvField).join(',') + '\n');
  });
  if (out !== process.stdout) await new Promise<void>((done) => (out as NodeJS.WritableStream).end(done));
  for (const note of new Set(notes)) process.stderr.write(`note: ${note}\n`);
  process.stderr.write(`scored ${rows.length} rows with ${bundle.name} (${bundle.classifier}+${bundle.sampler})\n`);
});

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
