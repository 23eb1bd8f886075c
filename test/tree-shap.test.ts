import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TreeExplainer, ExplainUnavailableError, type ExplainMethod } from '../lib/explain/tree-shap.ts';
import { CompiledEnsemble } from '../lib/trees/compiled-ensemble.ts';
import { GradientBoostingClassifier } from '../lib/trees/gradient-boosting.ts';
import { RandomForestClassifier } from '../lib/trees/random-forest.ts';
import type { TrainingData } from '../lib/trees/training-data.ts';
import { loadXgboostJson } from '../lib/trees/xgboost-json.ts';
import { EXACT_ROW_BUDGET, resolveExplainMethod } from '../lib/serving/explain-query.ts';
import { syntheticThreeClasses } from './helpers.ts';
import { bruteForceShapley } from './shapley-definition.ts';

const dir = 'test/fixtures/xgboost';

function readCsv(path: string): number[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(',').map((v) => (v === '' ? NaN : Number(v))));
}

/** Three classes from the first three features (weighted 1, 2, 3), 10% missing values. */
function synthetic(rows: number, p: number, seed: number): TrainingData {
  return syntheticThreeClasses(rows, p, seed, { weights: [1, 2, 3], cut: 0.8, missing: 0.1 });
}

function sumOf(phi: Float64Array, output: number, features: number): number {
  let s = 0;
  for (let f = 0; f <= features; f++) s += phi[output * (features + 1) + f];
  return s;
}

describe('TreeSHAP and path attribution', () => {
  for (const name of ['multiclass', 'binary']) {
    for (const method of ['exact', 'approx'] as ExplainMethod[]) {
      it(`${name}: ${method} contributions match xgboost's ${method === 'exact' ? 'pred_contribs' : 'approx_contribs'} within 1e-6 per feature and class`, () => {
        const ensemble = loadXgboostJson(JSON.parse(readFileSync(`${dir}/${name}.model.json`, 'utf8')));
        const explainer = new TreeExplainer(ensemble);
        const rows = readCsv(`${dir}/${name}.rows.csv`).slice(1);
        const expected = readCsv(`${dir}/${name}.contribs-${method}.csv`);
        expect(expected).toHaveLength(rows.length);
        let worst = 0;
        let nonZero = 0;
        rows.forEach((row, i) => {
          const { phi } = explainer.explain(row.slice(0, ensemble.features), method);
          expect(phi).toHaveLength(expected[i].length);
          expected[i].forEach((v, j) => {
            worst = Math.max(worst, Math.abs(phi[j] - v));
            if (Math.abs(v) > 1e-3) nonZero++;
          });
        });
        expect(nonZero).toBeGreaterThan(rows.length * ensemble.features * 0.5);
        expect(worst).toBeLessThan(1e-6);
      });
    }
  }

  it('adds up to the model output for many rows, both model kinds and both methods, missing values included', () => {
    const train = synthetic(1500, 6, 3);
    const test = synthetic(200, 6, 4);
    const models = [
      new RandomForestClassifier({ n_estimators: 15, max_depth: 9, random_state: 1 }).fit(train),
      new GradientBoostingClassifier({ n_estimators: 20, max_depth: 4, random_state: 1 }).fit(train),
      new GradientBoostingClassifier({ n_estimators: 20, max_depth: 3, random_state: 1 }).fit({
        ...train,
        y: train.y.map((c) => (c === 2 ? 1 : 0)),
        classes: 2,
      }),
    ];
    for (const model of models) {
      const explainer = new TreeExplainer(model);
      for (let i = 0; i < test.rows; i++) {
        const raw = model.predictRaw(test.X, i * test.features);
        for (const method of ['exact', 'approx'] as ExplainMethod[]) {
          const { phi, outputs } = explainer.explain(test.X, method, i * test.features);
          expect(outputs).toBe(raw.length);
          for (let o = 0; o < outputs; o++) expect(sumOf(phi, o, test.features)).toBeCloseTo(raw[o], 9);
        }
      }
      // The bias is the expected value: the same for every row.
      const a = explainer.explain(test.X, 'exact', 0).phi;
      const b = explainer.explain(test.X, 'exact', test.features).phi;
      expect(a[test.features]).toBeCloseTo(b[test.features], 12);
      expect(a[test.features]).toBeCloseTo(explainer.expectedValues()[0], 12);
    }
  });

  it('gives the Shapley values of the path-dependent expectation, checked by enumerating every coalition on a forest', () => {
    const train = synthetic(600, 4, 5);
    const forest = new RandomForestClassifier({ n_estimators: 4, max_depth: 6, random_state: 2 }).fit(train);
    const explainer = new TreeExplainer(forest);
    const test = synthetic(12, 4, 6);
    for (let i = 0; i < test.rows; i++) {
      const x = Array.from(test.X.subarray(i * 4, i * 4 + 4));
      const expected = bruteForceShapley(forest, x);
      const { phi } = explainer.explain(x, 'exact');
      for (let k = 0; k < forest.classes; k++)
        for (let f = 0; f < 4; f++) expect(phi[k * 5 + f]).toBeCloseTo(expected[k][f], 10);
    }
  });

  it('keeps covers through the binary round trip, and refuses a model saved without them', () => {
    const forest = new RandomForestClassifier({ n_estimators: 3, max_depth: 4, random_state: 1 }).fit(
      synthetic(300, 4, 1),
    );
    const reloaded = CompiledEnsemble.fromBuffer(forest.toBuffer());
    expect(Array.from(reloaded.arrays.covers!)).toEqual(Array.from(forest.arrays.covers!));
    expect(forest.arrays.covers![forest.arrays.treeRoots[1]]).toBeGreaterThan(0);
    const old = new CompiledEnsemble({ ...forest.arrays, covers: null });
    const oldReloaded = CompiledEnsemble.fromBuffer(old.toBuffer());
    expect(new DataView(old.toBuffer().buffer).getUint32(4, true)).toBe(1);
    expect(oldReloaded.arrays.covers).toBeNull();
    expect(() => new TreeExplainer(oldReloaded)).toThrow(ExplainUnavailableError);
    expect(() => new TreeExplainer(oldReloaded)).toThrow(/without node covers/);
  });
});

describe('the exact explanation budget', () => {
  it('estimates exact cost as leaves x depth², and keeps exact off deep forests unless asked, refusing it beyond the budget', () => {
    const shallow = new GradientBoostingClassifier({ n_estimators: 5, max_depth: 3, random_state: 1 }).fit(
      synthetic(400, 4, 1),
    );
    const cost = new TreeExplainer(shallow).exactCost();
    // 15 trees (5 rounds x 3 classes) of at most 8 leaves at depth 3.
    expect(cost).toBeGreaterThan(0);
    expect(cost).toBeLessThanOrEqual(15 * 8 * 9);
    expect(resolveExplainMethod({ top: 3, method: 'auto' }, cost, 1)).toBe('exact');
    expect(resolveExplainMethod({ top: 3, method: 'auto' }, EXACT_ROW_BUDGET * 2, 1)).toBe('approx');
    expect(() => resolveExplainMethod({ top: 3, method: 'exact' }, EXACT_ROW_BUDGET * 2, 1)).toThrow(
      /use explainMethod=approx/,
    );
    expect(resolveExplainMethod({ top: 3, method: 'approx' }, EXACT_ROW_BUDGET * 2, 500)).toBe('approx');
  });

  it('refuses to explain an imported model without node covers instead of explaining it wrongly', () => {
    const json = JSON.parse(readFileSync(`${dir}/binary.model.json`, 'utf8'));
    for (const tree of json.learner.gradient_booster.model.trees) delete tree.sum_hessian;
    expect(() => new TreeExplainer(loadXgboostJson(json))).toThrow(/no node covers/);
  });
});
