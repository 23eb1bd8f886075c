/**
 * The scorecard on a shipped dataset: fit time on a training split, then on the held-out rows
 * macro F1, AUC, Gini and KS, and the time to score one row of cleaned values.
 *   npx tsx bench/scorecard.ts [-- --spec data/specs/taiwan-credit-default.json --data data/taiwan_credit_default.csv]
 * (A quick look for this library; the comparison with the tree models on the same CV folds comes
 * with the scorecard candidate in training.)
 */
import { parseArgs } from 'node:util';
import { loadDataset } from '../lib/data/dataset.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { argmaxRows, classificationMetrics } from '../lib/evaluation/metrics.ts';
import { rankingMetrics } from '../lib/evaluation/ranking-metrics.ts';
import { planColumns, readColumns, rowValues } from '../lib/scorecard/columns.ts';
import { fitScorecard, ScorecardPredictor } from '../lib/scorecard/scorecard-model.ts';
import { Random } from '../lib/util/random.ts';

const { values } = parseArgs({
  options: {
    spec: { type: 'string', default: 'data/specs/taiwan-credit-default.json' },
    data: { type: 'string', default: 'data/taiwan_credit_default.csv' },
    /** The bad class by name; default the last class of the spec. */
    event: { type: 'string' },
    C: { type: 'string', default: '1' },
  },
});
const spec = loadSpec(values.spec);
const data = loadDataset(values.data, spec);
const K = spec.target.classes.length;
const eventClass = values.event ? spec.target.classes.indexOf(values.event) : K - 1;
const order = new Random(42).shuffle(Int32Array.from(data.rows, (_, i) => i));
const cut = Math.floor(order.length * 0.8);
const train = order.subarray(0, cut);
const test = order.subarray(cut);

const started = performance.now();
const plan = planColumns(spec, data.rows, train);
const fitted = fitScorecard(
  readColumns(plan, data.rows, train),
  Int32Array.from(train, (i) => data.y[i]),
  K,
  { C: Number(values.C), eventClass },
);
const fitSeconds = (performance.now() - started) / 1000;

const predictor = new ScorecardPredictor(fitted);
const testValues = Array.from(test, (i) => rowValues(plan, data.rows[i]));
const proba = new Float64Array(test.length * K);
const one = new Float64Array(K);
testValues.forEach((v, r) => {
  predictor.predictRow(v, one);
  proba.set(one, r * K);
});
const ytest = Int32Array.from(test, (i) => data.y[i]);
const quality = classificationMetrics(ytest, argmaxRows(proba, K), K);
const ranking = rankingMetrics(ytest, proba, K);

// Single-row predict time: many passes over the test rows, after a warm-up pass.
const passes = 20;
for (const v of testValues) predictor.predictRow(v, one);
// Wall time, and this process's CPU time: on a shared machine the second is the fairer one.
const timed = process.hrtime.bigint();
const cpu = process.cpuUsage();
for (let p = 0; p < passes; p++) for (const v of testValues) predictor.predictRow(v, one);
const microsPerRow = Number(process.hrtime.bigint() - timed) / 1000 / (passes * testValues.length);
const used = process.cpuUsage(cpu);
const cpuMicrosPerRow = (used.user + used.system) / (passes * testValues.length);

console.log(
  JSON.stringify(
    {
      data: values.data,
      trainRows: train.length,
      testRows: test.length,
      features: fitted.binning.features.length,
      dropped: fitted.binning.dropped.map((d) => `${d.name} (IV ${d.iv.toFixed(4)})`),
      fitSeconds: Number(fitSeconds.toFixed(3)),
      newtonIterations: fitted.model.iterations,
      macroF1: Number(quality.f1_macro.toFixed(4)),
      auc: ranking.auc,
      gini: ranking.gini,
      ks: ranking.ks,
      microsPerRow: Number(microsPerRow.toFixed(3)),
      cpuMicrosPerRow: Number(cpuMicrosPerRow.toFixed(3)),
    },
    null,
    2,
  ),
);
