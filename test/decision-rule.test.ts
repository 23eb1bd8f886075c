/**
 * The decision rule end to end on the Taiwan data (binary, 22% defaults): the nested estimate in
 * the report, the weights in the artifact (only when on), the same weighted labels from the
 * predict CLI and over HTTP (/predict and the Open Inference Protocol), and a nested estimate
 * that learns from training-fold rows only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArtifactDirectory } from '../lib/artifact/artifact-directory.ts';
import { loadDataset } from '../lib/data/dataset.ts';
import { loadSpec } from '../lib/data/spec.ts';
import { stratifiedKFold } from '../lib/evaluation/stratified-k-fold.ts';
import { ModelRegistry } from '../lib/registry/model-registry.ts';
import type { EmbeddedS3 } from '../lib/storage/embedded-s3.ts';
import { crossValidate } from '../lib/training/cross-validate.ts';
import { estimateDecisionRule } from '../lib/training/decision-rule.ts';
import { gatherNestedEvidence, OutOfFoldProbabilities } from '../lib/training/nested-evidence.ts';
import { createProgressReporter } from '../lib/training/progress.ts';
import { runScript, subsetCsv } from './helpers.ts';
import { parseScores, TAIWAN_SPEC, taiwanSplit } from './taiwan-split.ts';
import { startInProcessApi, type InProcessApi } from './in-process-api.ts';
import { startTestS3, TEST_BUCKET } from './s3.ts';

const { dir, data, unseen } = taiwanSplit('decision-rule', 1500, 2000);
const SPEC = TAIWAN_SPEC;
const settings = [
  '--data',
  data,
  '--spec',
  SPEC,
  '--cv',
  '3',
  '--seed',
  '42',
  '--classifiers',
  'xgb',
  '--samplers',
  'none',
  '--quiet',
];
const on = { dir: join(dir, 'on'), report: join(dir, 'on.json') };
const off = { dir: join(dir, 'off'), report: join(dir, 'off.json') };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reports and bodies are asserted field by field
type Json = any;

beforeAll(async () => {
  for (const [mode, target] of [
    ['on', on],
    ['off', off],
  ] as const) {
    const trained = await runScript(
      'train',
      [...settings, '--decision-rule', mode, '--out', target.dir, '--report', target.report],
      240_000,
    );
    expect(trained.code, trained.stderr).toBe(0);
  }
}, 480_000);

describe('train --decision-rule', () => {
  it('on: reports the nested macro F1 with and without the rule on the CV folds, and stores the weights', async () => {
    const report: Json = JSON.parse(readFileSync(on.report, 'utf8'));
    const rule = report.decision_rule;
    expect(rule).toMatchObject({ mode: 'on', applied: true });
    expect(rule.nested.fold_f1_macro_argmax).toHaveLength(3);
    expect(rule.nested.fold_f1_macro_weighted).toHaveLength(3);
    expect(rule.nested.f1_macro_weighted).toBeGreaterThan(0);
    // The argmax side is scored on the CV's own outer folds and test probabilities: the CV's number.
    expect(rule.nested.f1_macro_argmax).toBeCloseTo(report.best.cv.f1_macro, 12);
    const { bundle, manifest } = await readArtifactDirectory(on.dir);
    expect(manifest.files['decision.json']).toBeDefined();
    expect(bundle.decision!.weights).toHaveLength(2);
    expect(bundle.decision!.weights[0]).toBe(1);
    expect(bundle.decision!.weights).toEqual(rule.weights);
    expect(bundle.decision!.nestedF1Macro).toEqual({
      argmax: rule.nested.f1_macro_argmax,
      weighted: rule.nested.f1_macro_weighted,
    });
  });

  it('off: no nested estimate, no weights in the artifact', async () => {
    const report: Json = JSON.parse(readFileSync(off.report, 'utf8'));
    expect(report.decision_rule).toMatchObject({ mode: 'off', applied: false });
    expect(report.decision_rule.nested).toBeUndefined();
    const { bundle, manifest } = await readArtifactDirectory(off.dir);
    expect(bundle.decision).toBeUndefined();
    expect(Object.keys(manifest.files)).not.toContain('decision.json');
  });

  it('refuses an unknown mode or metric with a usage error', async () => {
    const bad = await runScript('train', [...settings, '--decision-rule', 'maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--decision-rule is off, auto, on, got "maybe"/);
    const metric = await runScript('train', [...settings, '--metric', 'gini']);
    expect(metric.code).toBe(2);
    expect(metric.stderr).toMatch(/--metric is f1_macro, roc_auc, ks, average_precision, accuracy, got "gini"/);
  });
});

describe('an artifact with decision weights', () => {
  let s3: EmbeddedS3;
  let url: string;
  let api: InProcessApi;
  let cli: Record<string, string>[];
  let weights: number[];
  const records = readFileSync(unseen, 'utf8').trim().split(/\r?\n/);
  const header = records[0].split(',');
  const record = (r: number): Record<string, string> =>
    Object.fromEntries(records[r + 1].split(',').map((v, i) => [header[i], v]));

  beforeAll(async () => {
    const predicted = await runScript('predict', ['--model', on.dir, '--data', unseen, '--explain', '2']);
    expect(predicted.code, predicted.stderr).toBe(0);
    cli = parseScores(predicted.stdout);
    const { bundle } = await readArtifactDirectory(on.dir);
    weights = bundle.decision!.weights;
    const { s3: started, store } = await startTestS3();
    s3 = started;
    const registry = new ModelRegistry(store);
    const files = new Map<string, Uint8Array>();
    for (const name of Object.keys((await readArtifactDirectory(on.dir)).manifest.files).concat('manifest.json'))
      files.set(name, new Uint8Array(readFileSync(join(on.dir, name))));
    const { version } = await registry.publish('taiwan-credit-default', files, { createdBy: 'test' });
    await registry.moveAlias('taiwan-credit-default', 'champion', version, { reason: 'test', actor: 'test' });
    api = await startInProcessApi({
      MODEL_NAME: 'taiwan-credit-default',
      MODEL_BUCKET: TEST_BUCKET,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      LOG_LEVEL: 'silent',
    });
    url = api.url;
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await s3?.close();
  });

  /** Rows (0-based) where the CLI's label is not the most probable class: the weights decided them. */
  const apart = (): number[] =>
    cli.flatMap((row, r) => ((Number(row.p_1) > Number(row.p_0) ? '1' : '0') !== row.prediction ? [r] : []));

  it('labels by p * w in the predict CLI, some rows apart from the argmax, the probabilities left as they are', () => {
    expect(weights[1]).not.toBe(1);
    expect(apart().length).toBeGreaterThan(0);
    for (const row of cli) {
      const p0 = Number(row.p_0);
      const p1 = Number(row.p_1);
      expect(p0 + p1).toBeCloseTo(1, 5);
      // Rows within rounding of the boundary are left out: the CSV holds six digits.
      if (Math.abs(p1 * weights[1] - p0) < 1e-5) continue;
      expect(row.prediction).toBe(p1 * weights[1] > p0 ? '1' : '0');
    }
  });

  it('gives the same labels, probabilities and reasons over HTTP (/predict and the Open Inference Protocol), and shows the weights in /model/info', async () => {
    const differing = apart().slice(0, 4);
    const agreeing = [0, 1, 2, 3, 4, 5].filter((r) => !differing.includes(r)); // at most 10 rows: exact explanations
    const chosen = [...differing, ...agreeing];
    const post = async (path: string, body: unknown): Promise<Json> => {
      const response = await fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const answer = await response.json();
      expect(response.status, JSON.stringify(answer)).toBe(200);
      return answer;
    };
    const predictions: Json[] = (
      await post('/predict?explain=2&explainMethod=exact', { instances: chosen.map(record) })
    ).predictions;
    predictions.forEach((p, j) => {
      const row = cli[chosen[j]];
      expect(p.prediction, `row ${chosen[j]}`).toBe(row.prediction);
      expect(p.probabilities['1']).toBeCloseTo(Number(row.p_1), 6);
      // The reasons are the predicted (weighted) class's: the CLI explains the same class.
      expect(p.baseValue.toPrecision(6)).toBe(row.base_value);
      expect(p.reasons[0].feature).toBe(row.reason_1);
    });
    // The base value is the explained class's: a row the weights moved shares it with the rows predicted the same class.
    expect(differing.length).toBeGreaterThan(0);
    for (const d of differing) {
      const moved = predictions[chosen.indexOf(d)];
      for (const [j, r] of chosen.entries())
        if (agreeing.includes(r))
          expect(predictions[j].baseValue === moved.baseValue).toBe(cli[r].prediction === cli[d].prediction);
    }
    const columns = header.filter((c) => c !== 'defaulted');
    const inputs = columns.map((name) => ({
      name,
      datatype: 'BYTES',
      shape: [chosen.length],
      data: chosen.map((r) => record(r)[name]),
    }));
    const inferred: Json = await post('/v2/models/taiwan-credit-default/infer', { inputs });
    expect(inferred.outputs.find((o: Json) => o.name === 'label').data).toEqual(chosen.map((r) => cli[r].prediction));
    const info: Json = await (await fetch(`${url}/model/info`, { signal: AbortSignal.timeout(30_000) })).json();
    expect(info.decision.weights).toEqual(weights);
  });
});

describe('the nested estimate', () => {
  it("learns the weights of each outer fold from that fold's training rows only, all of them", async () => {
    const dataset = loadDataset(
      subsetCsv('data/taiwan_credit_default.csv', 600, join(dir, 'taiwan-600.csv')),
      loadSpec(SPEC),
    );
    const folds = stratifiedKFold(dataset.y, 2, 3, 42);
    const outOfFold = new OutOfFoldProbabilities(dataset.rows.length, 2);
    const progress = createProgressReporter(process.stderr, true);
    const [cv] = await crossValidate(dataset, {
      folds: 3,
      seed: 42,
      classifiers: ['xgb'],
      samplers: ['none'],
      progress,
      onTestProbabilities: outOfFold.keep,
    });
    const learned = new Map<number, Int32Array>();
    // The calibration's nested estimate learns from the same evidence.
    const evidence = await gatherNestedEvidence(
      dataset,
      { classifier: 'xgb', sampler: 'none' },
      outOfFold.of({ classifier: 'xgb', sampler: 'none' }),
      {
        folds: 3,
        seed: 42,
        earlyStoppingRounds: 0,
        onLearnRows: (f, rows) => learned.set(f, rows),
      },
    );
    if ('error' in evidence) throw new Error(evidence.error);
    const estimate = estimateDecisionRule(evidence.folds, 2);
    expect([...learned.keys()].sort()).toEqual([0, 1, 2]);
    for (const [f, rows] of learned) {
      const test = new Set(folds[f].test);
      expect(rows.filter((r) => test.has(r))).toEqual(new Int32Array(0));
      expect([...rows].sort((a, b) => a - b)).toEqual([...folds[f].train]);
    }
    estimate.fold_f1_macro_argmax.forEach((f1, f) => expect(f1).toBeCloseTo(cv.fold_f1_macro[f], 12));
  }, 120_000);
});
