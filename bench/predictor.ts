/**
 * The serving path on a real artifact: raw record (as JSON would bring it) -> cleaning ->
 * features -> compiled ensemble -> probabilities, one record at a time, and the batch path.
 *   npm run bench:predictor [-- --model models/credit-score --data data/credit_score_customers_raw.csv]
 */
import { treeEnsemble } from '../lib/artifact/model-bundle.ts';
import { parseArgs } from 'node:util';
import { readArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { cleanRecords, readCsvFile } from '../lib/data/dataset.ts';
import { Predictor } from '../lib/serving/predictor.ts';
import { ParallelBatchPredictor } from '../lib/trees/parallel-batch-predictor.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/credit-score' },
    data: { type: 'string', default: 'data/credit_score_customers_raw.csv' },
  },
});
const loadStarted = performance.now();
const { bundle } = await readArtifactDirectory(values.model);
const ensemble = treeEnsemble(bundle, "the ensemble's predict bench");
const predictor = new Predictor(bundle);
const loadMs = performance.now() - loadStarted;
const csv = readCsvFile(values.data);
const records = csv.records.map((r) => Object.fromEntries(csv.header.map((h, i) => [h, r[i]])));
const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn: () => void): number => {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1000;
};
for (let i = 0; i < 500; i++) predictor.predictRecord(records[i % records.length]);
const count = Math.min(5000, records.length);
const recordTimes = Array.from({ length: count }, (_, i) => time(() => predictor.predictRecord(records[i])));
const rows = cleanRecords(csv, bundle.spec, values.data);
const X = predictor.preprocessor.transform(rows);
const out = new Float64Array(ensemble.classes);
const ensembleTimes = Array.from({ length: count }, (_, i) =>
  time(() => ensemble.predictProba(X, out, i * ensemble.features)),
);
const batchMicros = time(() => ensemble.predictProbaBatch(X, rows.length));
// The parallel path on a larger batch (the data repeated 8 times), workers warmed first.
const many = new Float64Array(X.length * 8);
for (let r = 0; r < 8; r++) many.set(X, r * X.length);
const parallel = ParallelBatchPredictor.create(ensemble);
await parallel.predictProbaBatch(many, rows.length * 8);
const parallelStarted = process.hrtime.bigint();
await parallel.predictProbaBatch(many, rows.length * 8);
const parallelMicros = Number(process.hrtime.bigint() - parallelStarted) / 1000;
await parallel.close();
console.log(
  `| model | ${bundle.classifier}+${bundle.sampler}, ${ensemble.treeCount} trees, ${ensemble.nodeCount.toLocaleString('en-US')} nodes |`,
);
console.log('| --- | --- |');
console.log(`| artifact load + verify (${values.model}) | ${loadMs.toFixed(1)} ms |`);
console.log(`| raw record -> prediction, median | ${median(recordTimes).toFixed(1)} µs |`);
console.log(`| compiled ensemble only, 1 row, median | ${median(ensembleTimes).toFixed(1)} µs |`);
console.log(
  `| batch, ${rows.length.toLocaleString('en-US')} rows, 1 thread | ${Math.round(rows.length / (batchMicros / 1e6)).toLocaleString('en-US')} rows/s |`,
);
console.log(
  `| batch, ${(rows.length * 8).toLocaleString('en-US')} rows, ${parallel.threads} threads | ${Math.round((rows.length * 8) / (parallelMicros / 1e6)).toLocaleString('en-US')} rows/s |`,
);
