/**
 * What reason codes cost on a real model: per-row p50 and p99 of a plain prediction, of the
 * approx method (path attribution) and of exact TreeSHAP, through the serving Predictor (raw
 * record in, reasons out); exact also by Algorithm 2 (the O(leaves x depth²) reference it
 * replaced), in the same run, for the before/after. Then what bounds exact's cost: the same candidate (RandomForest +
 * RandomOverSampler, 100 trees) at several max_depth limits, and a boosted model, each with
 * its exact and approx cost and its macro F1 on 5-fold CV of the same data.
 *
 *   npm run bench:explain [-- --model bench/out/quality/credit-model --data data/credit_score_customers_raw.csv --depths 8,12,16]
 *   npm run bench:explain -- --approx-only [--rounds 7]
 *
 * The approx walk before and after its record layout (lib/explain/saabas.ts) is timed
 * alternated in one process (the machine is shared: load moves between runs), wall time per
 * row and CPU time (process.cpuUsage) per round, and the two are checked equal bit for bit. So are
 * prediction with approx reasons as two walks (predictProba, then the approx walk) and as one
 * (the approx walk's leaves give the probabilities; equal bit for bit: test/approx-one-walk.test.ts).
 */
import { treeEnsemble } from '../lib/artifact/model-bundle.ts';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { readArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { cleanRecord } from '../lib/data/clean-record.ts';
import { loadDataset, readCsvFile, type Dataset } from '../lib/data/dataset.ts';
import { Preprocessor } from '../lib/data/preprocessor.ts';
import { argmaxRows, classificationMetrics } from '../lib/evaluation/metrics.ts';
import { stratifiedKFold } from '../lib/evaluation/stratified-k-fold.ts';
import { LinearTreeShap } from '../lib/explain/linear-tree-shap.ts';
import { PathTreeShap } from '../lib/explain/path-tree-shap.ts';
import { shapForest } from '../lib/explain/shap-forest.ts';
import { TreeExplainer, type ExplainMethod } from '../lib/explain/tree-shap.ts';
import { SaabasBefore } from './saabas-before.ts';
import { createSampler } from '../lib/sampling/index.ts';
import { Predictor } from '../lib/serving/predictor.ts';
import { treeDepths, type CompiledEnsemble } from '../lib/trees/compiled-ensemble.ts';
import { GradientBoostingClassifier } from '../lib/trees/gradient-boosting.ts';
import { RandomForestClassifier } from '../lib/trees/random-forest.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'bench/out/quality/credit-model' },
    data: { type: 'string', default: 'data/credit_score_customers_raw.csv' },
    depths: { type: 'string', default: '6,8,12,16' },
    rows: { type: 'string', default: '300' },
    // Only the approx rows: the old two-array walk and the new record walk alternated, then the
    // prediction and the Predictor with approx reasons (exact and the depth table take minutes).
    'approx-only': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '7' },
  },
});

const percentile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const micros = (fn: () => void): number => {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1000;
};
const format = (us: number): string => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);

/** Per-row timings of `fn` over `count` rows, after a warm-up, stopping early after `budgetMs`. */
function timeRows(count: number, budgetMs: number, fn: (i: number) => void): number[] {
  for (let i = 0; i < Math.min(20, count); i++) fn(i);
  const times: number[] = [];
  const until = Date.now() + budgetMs;
  for (let i = 0; i < count && Date.now() < until; i++) times.push(micros(() => fn(i)));
  return times;
}

const { bundle } = await readArtifactDirectory(values.model);
const ensemble = treeEnsemble(bundle, "TreeSHAP's bench");
const predictor = new Predictor(bundle);
const csv = readCsvFile(values.data);
const count = Math.min(Number(values.rows), csv.records.length);
const records = csv.records.slice(0, count).map((r) => Object.fromEntries(csv.header.map((h, i) => [h, r[i]])));
const cleaned = records.map((record) => cleanRecord(bundle.spec, (column) => record[column]));
const depths = Array.from(treeDepths(ensemble.arrays)).sort((a, b) => a - b);
const depth = { median: depths[Math.floor(depths.length / 2)], max: depths[depths.length - 1] };

console.log(
  `model: ${bundle.classifier}+${bundle.sampler}, ${ensemble.treeCount} trees, ${ensemble.nodeCount.toLocaleString('en-US')} nodes, depth median ${depth.median}, max ${depth.max}`,
);
console.log('');
console.log('| per row, raw record in (Predictor) | p50 | p99 | rows timed | goal |');
console.log('| --- | --- | --- | --- | --- |');
const plain = timeRows(count, 10_000, (i) => predictor.predictClean(cleaned[i]));
console.log(
  `| prediction | ${format(percentile(plain, 0.5))} | ${format(percentile(plain, 0.99))} | ${plain.length} | |`,
);
const explainer = new TreeExplainer(ensemble);
const features = predictor.preprocessor.transform(cleaned);
const p = predictor.preprocessor.featureCount;
{
  // Old and new approx, alternated round by round: wall time per row, CPU time per round.
  const before = new SaabasBefore(ensemble);
  let differing = 0;
  for (let i = 0; i < count; i++) {
    const a = before.explain(features, i * p);
    const b = explainer.explain(features, 'approx', i * p).phi;
    if (a.some((v, j) => !Object.is(v, b[j]))) differing++;
  }
  console.log(`approx after vs before: ${differing} of ${count} rows differ in any bit`);
  const margins = new Float64Array(ensemble.classes);
  const leaves = new Int32Array(ensemble.treeCount);
  const sides = [
    {
      name: 'prediction (features in, CompiledEnsemble.predictProba), for scale',
      run: (i: number) => ensemble.predictProba(features, margins, i * p),
      wall: [] as number[],
      cpu: [] as number[],
    },
    {
      name: 'approx before (node, then its change from a second array)',
      run: (i: number) => before.explain(features, i * p),
      wall: [] as number[],
      cpu: [] as number[],
    },
    {
      name: 'approx after (one record per node, lib/explain/saabas.ts)',
      run: (i: number) => explainer.explain(features, 'approx', i * p),
      wall: [] as number[],
      cpu: [] as number[],
    },
    {
      name: 'prediction and approx, two walks (predictProba, then explain)',
      run: (i: number) => {
        ensemble.predictProba(features, margins, i * p);
        explainer.explain(features, 'approx', i * p);
      },
      wall: [] as number[],
      cpu: [] as number[],
    },
    {
      name: 'prediction and approx, one walk (approxWithLeaves, then probaOfLeaves)',
      run: (i: number) => {
        explainer.approxWithLeaves(features, i * p, leaves);
        ensemble.probaOfLeaves(leaves, margins);
      },
      wall: [] as number[],
      cpu: [] as number[],
    },
  ];
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const side of sides) {
      for (let i = 0; i < Math.min(20, count); i++) side.run(i);
      const cpu = process.cpuUsage();
      for (let i = 0; i < count; i++) side.wall.push(micros(() => side.run(i)));
      const used = process.cpuUsage(cpu);
      side.cpu.push((used.user + used.system) / count);
    }
  }
  console.log('');
  console.log(
    `| contributions alone (features in), alternated, ${values.rounds} rounds of ${count} rows | wall p50 | wall p99 | CPU per row, median round | rows timed |`,
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const side of sides) {
    console.log(
      `| ${side.name} | ${format(percentile(side.wall, 0.5))} | ${format(percentile(side.wall, 0.99))} | ${format(percentile(side.cpu, 0.5))} | ${side.wall.length} |`,
    );
  }
  console.log(
    `load average: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  console.log('');
}
for (const method of (values['approx-only'] ? ['approx'] : ['approx', 'exact']) as ExplainMethod[]) {
  const alone = timeRows(count, 60_000, (i) => explainer.explain(features, method, i * p));
  console.log(
    `| contributions alone (features in), ${method} | ${format(percentile(alone, 0.5))} | ${format(percentile(alone, 0.99))} | ${alone.length} | |`,
  );
}
if (!values['approx-only']) {
  const forest = shapForest(ensemble);
  const reference = new PathTreeShap(forest, depth.max);
  const phi = new Float64Array(ensemble.outputs * (p + 1));
  const before = timeRows(count, 30_000, (i) => reference.add(features, i * p, phi));
  console.log(
    `| contributions alone, exact by Algorithm 2 (before) | ${format(percentile(before, 0.5))} | ${format(percentile(before, 0.99))} | ${before.length} | |`,
  );
}
for (const method of (values['approx-only'] ? ['approx'] : ['approx', 'exact']) as ExplainMethod[]) {
  const explain = { top: 3, method, valueOf: () => null };
  const times = timeRows(count, 60_000, (i) => predictor.predictClean(cleaned[i], explain));
  const goal = method === 'approx' ? 50 : 5000;
  const p50 = percentile(times, 0.5);
  console.log(
    `| prediction + 3 reasons, ${method} | ${format(p50)} | ${format(percentile(times, 0.99))} | ${times.length} | < ${format(goal)}: ${p50 < goal ? 'met' : 'NOT met'} |`,
  );
}
console.log(
  `load average: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}`,
);
if (values['approx-only']) process.exit(0);
console.log('');
console.log(
  `exact's precomputation and scratch: ${(new LinearTreeShap(shapForest(ensemble)).bytes / 1e6).toFixed(1)} MB (${ensemble.nodeCount.toLocaleString('en-US')} nodes)`,
);

{
  // What bounds exact's cost, on the same data (5-fold CV, seed 42): a forest's depth limit, and
  // the other model kind, boosting (xgb defaults: 100 rounds of depth-6 trees per class).
  const dataset = loadDataset(values.data, bundle.spec);
  const classes = bundle.spec.target.classes.length;
  const folds = stratifiedKFold(dataset.y, classes, 5, 42);
  const candidates: { title: string; fit: (rows: Int32Array) => Fitted }[] = [
    ...[...values.depths.split(',').map(Number), null].map((maxDepth) => ({
      title: `RandomForest + ros, max_depth ${maxDepth ?? 'none'}`,
      fit: (rows: Int32Array) => fitCandidate(dataset, rows, 'rf', maxDepth),
    })),
    {
      title: 'GradientBoosting (xgb defaults), no resampling',
      fit: (rows: Int32Array) => fitCandidate(dataset, rows, 'xgb', null),
    },
  ];
  console.log('');
  console.log('| candidate (refit on all rows) | nodes | exact p50 | approx p50 | CV macro F1 |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const candidate of candidates) {
    const f1s: number[] = [];
    for (const fold of folds) {
      const fitted = candidate.fit(fold.train);
      const X = fitted.preprocessor.transform(dataset.rows, fold.test);
      const predicted = argmaxRows(fitted.model.predictProbaBatch(X, fold.test.length), classes);
      f1s.push(
        classificationMetrics(
          Array.from(fold.test, (i) => dataset.y[i]),
          predicted,
          classes,
        ).f1_macro,
      );
    }
    const all = Int32Array.from(dataset.y.keys());
    const { model, preprocessor } = candidate.fit(all);
    const X = preprocessor.transform(dataset.rows, all.subarray(0, count));
    const modelExplainer = new TreeExplainer(model);
    const cost = (method: ExplainMethod): number =>
      percentile(
        timeRows(count, 30_000, (i) => modelExplainer.explain(X, method, i * preprocessor.featureCount)),
        0.5,
      );
    const mean = f1s.reduce((s, v) => s + v, 0) / f1s.length;
    console.log(
      `| ${candidate.title} | ${model.nodeCount.toLocaleString('en-US')} | ${format(cost('exact'))} | ${format(cost('approx'))} | ${mean.toFixed(4)} |`,
    );
  }
}

interface Fitted {
  model: CompiledEnsemble;
  preprocessor: Preprocessor;
}

function fitCandidate(dataset: Dataset, rows: Int32Array, classifier: 'rf' | 'xgb', maxDepth: number | null): Fitted {
  const preprocessor = Preprocessor.fit(dataset.spec, dataset.rows, rows);
  const classes = dataset.spec.target.classes.length;
  const data = {
    X: preprocessor.transform(dataset.rows, rows),
    rows: rows.length,
    features: preprocessor.featureCount,
    y: Int32Array.from(rows, (i) => dataset.y[i]),
    classes,
  };
  if (classifier === 'xgb')
    return { model: new GradientBoostingClassifier({ random_state: 42 }).fit(data), preprocessor };
  const resampled = createSampler('ros', 42).fitResample(data);
  return { model: new RandomForestClassifier({ random_state: 42, max_depth: maxDepth }).fit(resampled), preprocessor };
}
