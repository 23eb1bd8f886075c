/**
 * Speed against the references, side by side in one run:
 *   npm run bench:speed [-- --rows 100000] [--jobs 0] [--repeats 3] [--skip-reference] [--skip-peers]
 * --jobs: the thread counts of the all-core rows, e.g. "2,4,8" (0, the default: every core).
 * --repeats: turns of the all-core fits, ours and the references' alternating; the fastest of
 *   each side is reported (every turn is in bench/out/speed.json).
 * On the synthetic credit-like table (data/generators/credit-like.ts), 80/20 split:
 *   ours (lib/trees, lib/sampling, the compiled ensemble) vs scikit-learn / imbalanced-learn /
 *   xgboost (bench/reference_speed.py with /usr/bin/python3, one thread) vs the npm peers
 *   ml-random-forest and ml-xgboost at sizes where they run at all.
 * Prints a markdown table of timings and ratios; writes bench/out/speed.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateCreditLike, tableToCsv, type Table } from '../data/generators/credit-like.ts';
import { argmaxRows, classificationMetrics } from '../lib/evaluation/metrics.ts';
import { createSampler, type SamplerName } from '../lib/sampling/index.ts';
import type { CompiledEnsemble } from '../lib/trees/compiled-ensemble.ts';
import { GradientBoostingClassifier } from '../lib/trees/gradient-boosting.ts';
import { ParallelBatchPredictor } from '../lib/trees/parallel-batch-predictor.ts';
import { RandomForestClassifier } from '../lib/trees/random-forest.ts';
import { fitResampleOnPool } from '../lib/sampling/pool-neighbours.ts';
import { closeTrainingPools, resolveJobs, trainingPool } from '../lib/training/training-pool.ts';
import type { TrainingData } from '../lib/trees/training-data.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    'skip-reference': { type: 'boolean', default: false },
    'skip-peers': { type: 'boolean', default: false },
    jobs: { type: 'string', default: '0' },
    repeats: { type: 'string', default: '3' },
  },
});
const jobsList = values.jobs.split(',').map((j) => resolveJobs(Number(j)));
const rows = Number(values.rows);
const outDir = 'bench/out';
mkdirSync(outDir, { recursive: true });

interface Row {
  what: string;
  ours: number;
  reference?: number;
  unit: 's' | 'µs' | 'rows/s' | 'F1' | 'x' | 'MB';
  goal?: (ours: number, reference?: number) => boolean;
  goalText?: string;
}
const results: Row[] = [];
const log = (message: string): void => void process.stderr.write(`${message}\n`);

function seconds<T>(fn: () => T): [T, number] {
  const started = performance.now();
  const value = fn();
  return [value, (performance.now() - started) / 1000];
}

function slice(table: Table, from: number, to: number): TrainingData {
  const p = table.features;
  return { X: table.X.slice(from * p, to * p), rows: to - from, features: p, y: table.y.slice(from, to), classes: 3 };
}

/** Median imputation with training medians: scikit-learn 1.2's forest and the kNN samplers refuse NaN. */
function imputed(data: TrainingData, medians: Float64Array): TrainingData {
  const X = data.X.slice();
  for (let i = 0; i < X.length; i++) if (Number.isNaN(X[i])) X[i] = medians[i % data.features];
  return { ...data, X };
}

function mediansOf(data: TrainingData): Float64Array {
  return Float64Array.from({ length: data.features }, (_, f) => {
    const v: number[] = [];
    for (let i = 0; i < data.rows; i++)
      if (!Number.isNaN(data.X[i * data.features + f])) v.push(data.X[i * data.features + f]);
    v.sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)];
  });
}

function singleRowMedianMicros(model: CompiledEnsemble, test: TrainingData, count: number): number {
  const out = new Float64Array(model.classes);
  const times: number[] = [];
  for (let r = 0; r < 200; r++) model.predictProba(test.X, out, (r % test.rows) * test.features); // warm-up
  for (let r = 0; r < count; r++) {
    const started = process.hrtime.bigint();
    model.predictProba(test.X, out, (r % test.rows) * test.features);
    times.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function f1(model: CompiledEnsemble, test: TrainingData): number {
  return classificationMetrics(test.y, argmaxRows(model.predictProbaBatch(test.X, test.rows), 3), 3).f1_macro;
}

// ---- data
const table = generateCreditLike(rows, 7);
const csv = `${outDir}/credit-like-${rows}.csv`;
if (!existsSync(csv)) writeFileSync(csv, tableToCsv(table));
const split = Math.floor(rows * 0.8);
const train = slice(table, 0, split);
const test = slice(table, split, rows);
const medians = mediansOf(train);
const trainFilled = imputed(train, medians);
const testFilled = imputed(test, medians);
log(`table: ${rows} rows x ${table.features} features, train ${split}, test ${rows - split}`);

// ---- ours
log('ours: RandomForest, 100 trees');
const [rf, rfSeconds] = seconds(() =>
  new RandomForestClassifier({ n_estimators: 100, random_state: 0 }).fit(trainFilled),
);
log('ours: gradient boosting, 200 rounds');
const [gb, gbSeconds] = seconds(() =>
  new GradientBoostingClassifier({ n_estimators: 200, random_state: 0 }).fit(train),
);
const samplerSeconds = Object.fromEntries(
  (['ros', 'smote', 'adasyn', 'borderline'] as SamplerName[]).map((name) => {
    log(`ours: ${name}`);
    return [name, seconds(() => createSampler(name, 0).fitResample(trainFilled))[1]];
  }),
);
// All cores: the forest's trees on the training pool, boosting's large steps shared with it,
// in turns with the references' same fits at n_jobs=-1
// (ours, then one run of bench/reference_speed.py --only fits-all), `--repeats` turns, the
// fastest of each side kept. This machine's speed drifts by up to half within minutes: measured
// once, minutes apart, the two sides' phases moved the ratio more than any change of ours did.
const python = '/usr/bin/python3';
const repeats = Number(values.repeats);
if (!(Number.isInteger(repeats) && repeats >= 1))
  throw new RangeError(`--repeats must be a whole number of turns, got ${values.repeats}`);
const allCores = jobsList.map((jobs) => ({ jobs, rfSeconds: Infinity, gbSeconds: Infinity }));
const referenceAll = { rf_fit_all_s: Infinity, xgb_fit_all_s: Infinity };
const allCoreTurns: { ours: { jobs: number; rf: number; gb: number }[]; reference?: { rf: number; xgb: number } }[] =
  [];
for (let turn = 1; turn <= repeats; turn++) {
  const ours: { jobs: number; rf: number; gb: number }[] = [];
  for (const a of allCores) {
    const pool = trainingPool(a.jobs);
    if (turn === 1)
      await new RandomForestClassifier({ n_estimators: 2 * a.jobs, random_state: 0 }).fitParallel(trainFilled, pool); // workers started and warm
    log(`ours: RandomForest, 100 trees, ${a.jobs} threads (turn ${turn} of ${repeats})`);
    const started = performance.now();
    await new RandomForestClassifier({ n_estimators: 100, random_state: 0 }).fitParallel(trainFilled, pool);
    const rf = (performance.now() - started) / 1000;
    log(`ours: gradient boosting, 200 rounds, ${a.jobs} threads (turn ${turn} of ${repeats})`);
    const gbStarted = performance.now();
    await new GradientBoostingClassifier({ n_estimators: 200, random_state: 0 }).fitParallel(train, pool);
    const gb = (performance.now() - gbStarted) / 1000;
    a.rfSeconds = Math.min(a.rfSeconds, rf);
    a.gbSeconds = Math.min(a.gbSeconds, gb);
    ours.push({ jobs: a.jobs, rf, gb });
  }
  let reference: { rf: number; xgb: number } | undefined;
  if (!values['skip-reference']) {
    log(`reference: scikit-learn and xgboost, n_jobs=-1 (turn ${turn} of ${repeats})`);
    const r = JSON.parse(
      execFileSync(python, ['bench/reference_speed.py', csv, '--only', 'fits-all'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }).toString(),
    ) as Record<string, number>;
    reference = { rf: r.rf_fit_all_s, xgb: r.xgb_fit_all_s };
    referenceAll.rf_fit_all_s = Math.min(referenceAll.rf_fit_all_s, reference.rf);
    referenceAll.xgb_fit_all_s = Math.min(referenceAll.xgb_fit_all_s, reference.xgb);
  }
  allCoreTurns.push({ ours, reference });
}
// The samplers with their neighbour searches on the pool (as the refit runs them), once each.
const samplerPoolJobs = jobsList[0];
const samplerPoolSeconds: Record<string, number> = {};
for (const name of ['smote', 'adasyn', 'borderline'] as const) {
  log(`ours: ${name}, neighbour searches on ${samplerPoolJobs} threads`);
  const started = performance.now();
  await fitResampleOnPool(createSampler(name, 0), trainFilled, trainingPool(samplerPoolJobs));
  samplerPoolSeconds[name] = (performance.now() - started) / 1000;
}
await closeTrainingPools();
const oursPeakRssMb = process.resourceUsage().maxRSS / 1024;
log('ours: prediction');
const rfSingle = singleRowMedianMicros(rf, testFilled, 2000);
const gbSingle = singleRowMedianMicros(gb, test, 2000);
const rfBatch = testFilled.rows / seconds(() => rf.predictProbaBatch(testFilled.X, testFilled.rows))[1];
const gbBatch = test.rows / seconds(() => gb.predictProbaBatch(test.X, test.rows))[1];
async function parallelRowsPerSecond(
  model: CompiledEnsemble,
  data: TrainingData,
): Promise<{ rate: number; threads: number }> {
  const parallel = ParallelBatchPredictor.create(model);
  await parallel.predictProbaBatch(data.X, data.rows); // workers warm
  const started = performance.now();
  await parallel.predictProbaBatch(data.X, data.rows);
  const rate = data.rows / ((performance.now() - started) / 1000);
  const threads = parallel.threads;
  await parallel.close();
  return { rate, threads };
}
const rfParallel = await parallelRowsPerSecond(rf, testFilled);
const gbParallel = await parallelRowsPerSecond(gb, test);

// ---- reference
let ref: Record<string, number> = {};
if (!values['skip-reference']) {
  log('reference: scikit-learn, imbalanced-learn, xgboost (one thread)');
  ref = JSON.parse(
    execFileSync(python, ['bench/reference_speed.py', csv, '--only', 'rf,xgb,samplers,predict,samplers-all'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    }).toString(),
  );
  ref = { ...ref, ...referenceAll };
}

results.push(
  {
    what: 'RandomForest fit, 100 trees',
    ours: rfSeconds,
    reference: ref.rf_fit_s,
    unit: 's',
    goal: (o, r) => r === undefined || o <= r,
    goalText: '<= scikit-learn',
  },
  { what: 'RandomForest macro F1 (test)', ours: f1(rf, testFilled), reference: ref.rf_f1_macro, unit: 'F1' },
  {
    what: 'boosting fit, 200 rounds',
    ours: gbSeconds,
    reference: ref.xgb_fit_s,
    unit: 's',
    goal: (o, r) => r === undefined || o <= 2 * r,
    goalText: '<= 2x xgboost hist',
  },
  { what: 'boosting macro F1 (test)', ours: f1(gb, test), reference: ref.xgb_f1_macro, unit: 'F1' },
  ...(['ros', 'smote', 'adasyn', 'borderline'] as const).map((name): Row => ({
    what: `sampler ${name}`,
    ours: samplerSeconds[name],
    reference: ref[`${name}_s`],
    unit: 's',
    goal: (o, r) => r === undefined || o <= r,
    goalText: '<= imbalanced-learn',
  })),
  {
    what: 'RandomForest 1-row predict, median',
    ours: rfSingle,
    reference: ref.rf_predict_1row_median_s && ref.rf_predict_1row_median_s * 1e6,
    unit: 'µs',
    goal: (o) => o < 20,
    goalText: '< 20 µs',
  },
  {
    what: 'boosting 1-row predict, median',
    ours: gbSingle,
    reference: ref.xgb_predict_1row_median_s && ref.xgb_predict_1row_median_s * 1e6,
    unit: 'µs',
    goal: (o) => o < 20,
    goalText: '< 20 µs',
  },
  {
    what: 'RandomForest batch predict',
    ours: rfBatch,
    reference: ref.rf_batch_rows_per_s,
    unit: 'rows/s',
    goal: (o) => o > 200_000,
    goalText: '> 200,000 rows/s',
  },
  {
    what: 'boosting batch predict',
    ours: gbBatch,
    reference: ref.xgb_batch_rows_per_s,
    unit: 'rows/s',
    goal: (o) => o > 200_000,
    goalText: '> 200,000 rows/s',
  },
  {
    what: `RandomForest batch predict, ${rfParallel.threads} threads`,
    ours: rfParallel.rate,
    unit: 'rows/s',
    goal: (o) => o > 200_000,
    goalText: '> 200,000 rows/s',
  },
  ...allCores.map((a): Row => ({
    what: `RandomForest fit, 100 trees, ${a.jobs} threads vs n_jobs=-1 (fastest of ${repeats})`,
    ours: a.rfSeconds,
    reference: ref.rf_fit_all_s,
    unit: 's',
    goal: (o, r) => r === undefined || o <= 0.8 * r,
    goalText: '<= 0.8x scikit-learn all cores',
  })),
  ...allCores.map((a): Row => ({
    what: `RandomForest fit speed-up, 1 -> ${a.jobs} threads`,
    ours: rfSeconds / a.rfSeconds,
    reference: ref.rf_fit_s && ref.rf_fit_all_s && ref.rf_fit_s / ref.rf_fit_all_s,
    unit: 'x',
  })),
  ...allCores.map((a): Row => ({
    what: `boosting fit, 200 rounds, ${a.jobs} threads vs n_jobs=-1 (fastest of ${repeats})`,
    ours: a.gbSeconds,
    reference: ref.xgb_fit_all_s,
    unit: 's',
    goal: (o, r) => r === undefined || o <= 1.5 * r,
    goalText: '<= 1.5x xgboost all cores',
  })),
  ...allCores.map((a): Row => ({
    what: `boosting fit speed-up, 1 -> ${a.jobs} threads`,
    ours: gbSeconds / a.gbSeconds,
    reference: ref.xgb_fit_s && ref.xgb_fit_all_s && ref.xgb_fit_s / ref.xgb_fit_all_s,
    unit: 'x',
  })),
  ...(['smote', 'adasyn', 'borderline'] as const).map((name): Row => ({
    what: `sampler ${name}, ${samplerPoolJobs} threads vs n_jobs=-1`,
    ours: samplerPoolSeconds[name],
    reference: ref[`${name}_all_s`],
    unit: 's',
    goal: (o, r) => r === undefined || o <= r,
    goalText: '<= imbalanced-learn all cores',
  })),
  { what: 'peak resident memory of the process', ours: oursPeakRssMb, reference: ref.peak_rss_mb, unit: 'MB' },
  {
    what: `boosting batch predict, ${gbParallel.threads} threads`,
    ours: gbParallel.rate,
    unit: 'rows/s',
    goal: (o) => o > 200_000,
    goalText: '> 200,000 rows/s',
  },
);

// ---- npm peers, where they run at all (not at full size: ml-random-forest needs hours at 10,000 rows, ml-xgboost crashes beyond ~50,000)
if (!values['skip-peers']) {
  const small = slice(table, 0, 1000);
  const smallFilled = imputed(small, medians);
  const asRows = (d: TrainingData): number[][] =>
    Array.from({ length: d.rows }, (_, i) => Array.from(d.X.subarray(i * d.features, (i + 1) * d.features)));
  log('peer: ml-random-forest, 10 trees on 1,000 rows');
  const { RandomForestClassifier: MlRandomForest } = await import('ml-random-forest');
  const mlRf = new MlRandomForest({
    nEstimators: 10,
    seed: 1,
    noOOB: true,
    maxFeatures: 1.0,
    replacement: false,
    useSampleBagging: true,
  });
  const mlRfSeconds = seconds(() => mlRf.train(asRows(smallFilled), Array.from(smallFilled.y)))[1];
  const oursSmallRf = seconds(() =>
    new RandomForestClassifier({ n_estimators: 10, random_state: 1 }).fit(smallFilled),
  )[1];
  results.push({
    what: 'RandomForest fit, 10 trees, 1,000 rows: ml-random-forest',
    ours: oursSmallRf,
    reference: mlRfSeconds,
    unit: 's',
    goal: (o, r) => r === undefined || o <= r,
    goalText: '<= peer',
  });

  const medium = imputed(slice(table, 0, 20000), medians);
  log('peer: ml-xgboost (WASM xgboost 0.7), 200 rounds on 20,000 rows');
  const XGBoost = (await (
    await import('ml-xgboost')
  ).default) as new (options: object) => { train(X: number[][], y: number[]): void; predict(X: number[][]): number[] };
  const mlXgb = new XGBoost({
    booster: 'gbtree',
    objective: 'multi:softmax',
    tree_method: 'hist',
    max_depth: 6,
    eta: 0.3,
    subsample: 1,
    iterations: 200,
  });
  const mlXgbSeconds = seconds(() => mlXgb.train(asRows(medium), Array.from(medium.y)))[1];
  const oursMediumGb = seconds(() => new GradientBoostingClassifier({ n_estimators: 200 }).fit(medium))[1];
  results.push({
    what: 'boosting fit, 200 rounds, 20,000 rows: ml-xgboost',
    ours: oursMediumGb,
    reference: mlXgbSeconds,
    unit: 's',
    goal: (o, r) => r === undefined || o <= r,
    goalText: '<= peer',
  });
}

// ---- report
const fmt = (v: number | undefined, unit: Row['unit']): string =>
  v === undefined
    ? '—'
    : unit === 'rows/s' || unit === 'MB'
      ? Math.round(v).toLocaleString('en-US')
      : unit === 'F1'
        ? v.toFixed(4)
        : unit === 'µs'
          ? v.toFixed(1)
          : v.toFixed(2);
console.log(
  `\n| measurement (${rows.toLocaleString('en-US')}-row table, 80/20) | ours | reference | ours / reference | goal | met |`,
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const ratio = r.reference ? (r.ours / r.reference).toFixed(2) : '—';
  const met = r.goal ? (r.goal(r.ours, r.reference) ? 'yes' : 'NO') : '';
  console.log(
    `| ${r.what} | ${fmt(r.ours, r.unit)} ${r.unit} | ${fmt(r.reference, r.unit)} ${r.reference === undefined ? '' : r.unit} | ${ratio} | ${r.goalText ?? ''} | ${met} |`,
  );
}
writeFileSync(
  `${outDir}/speed.json`,
  JSON.stringify({ rows, results: results.map(({ goal: _goal, ...r }) => r), allCoreTurns }, null, 2),
);
