import { describe, expect, it } from 'vitest';
import { gaussLegendre } from '../lib/explain/gauss-legendre.ts';
import { PathTreeShap } from '../lib/explain/path-tree-shap.ts';
import { shapForest } from '../lib/explain/shap-forest.ts';
import { TreeExplainer } from '../lib/explain/tree-shap.ts';
import { CompiledEnsemble, treeDepths } from '../lib/trees/compiled-ensemble.ts';
import { compareContributions, randomEnsemble, randomRows, trainedModels } from './tree-shap-helpers.ts';
import { bruteForceShapley } from './shapley-definition.ts';

/** Algorithm 2 (the reference), contributions only: the bias is the same code in both. */
function referenceContributions(ensemble: CompiledEnsemble, X: ArrayLike<number>, offset: number): Float64Array {
  const reference = new PathTreeShap(shapForest(ensemble), Math.max(0, ...treeDepths(ensemble.arrays)));
  const phi = new Float64Array(ensemble.outputs * (ensemble.features + 1));
  reference.add(X, offset, phi);
  return phi;
}

/** The largest difference between the exact method's and the reference's feature contributions over `rows` rows, and the reference's largest size. */
function compare(ensemble: CompiledEnsemble, X: ArrayLike<number>, rows: number): { worst: number; largest: number } {
  return compareContributions(ensemble, 'exact', (X, offset) => referenceContributions(ensemble, X, offset), X, rows);
}

describe('Gauss-Legendre points on [0, 1]', () => {
  it('integrate t^k exactly up to k = 2n - 1 (n = 1 to 24), and not t^2n (n = 1 to 6, where the miss is above rounding)', () => {
    for (let n = 1; n <= 24; n++) {
      const { points, weights } = gaussLegendre(n);
      const integral = (k: number): number => points.reduce((s, t, q) => s + weights[q] * t ** k, 0);
      for (let k = 0; k <= 2 * n - 1; k++) expect(Math.abs(integral(k) - 1 / (k + 1))).toBeLessThan(1e-14);
      if (n <= 6) expect(Math.abs(integral(2 * n) - 1 / (2 * n + 1))).toBeGreaterThan(1e-9);
    }
  });
});

describe('exact contributions by Linear TreeSHAP equal Algorithm 2 to 1e-9', () => {
  it('on a forest and on multi-class and binary boosting, missing values included', () => {
    const { models, test } = trainedModels();
    expect(Math.max(...treeDepths(models[0].arrays))).toBeGreaterThan(12);
    for (const model of models) {
      const { worst, largest } = compare(model, test.X, test.rows);
      expect(largest).toBeGreaterThan(1e-3);
      expect(worst).toBeLessThan(1e-9);
    }
  });

  it('on forest trees 30+ deep over 5 features (so a path splits on a feature again and again)', () => {
    const deep = randomEnsemble({
      aggregation: 'mean',
      classes: 3,
      features: 5,
      trees: 4,
      depth: 40,
      stop: 0.6,
      seed: 7,
    });
    expect(Math.max(...treeDepths(deep.arrays))).toBeGreaterThanOrEqual(30);
    const rows = randomRows(30, 5, 0.1, 8);
    const { worst, largest } = compare(deep, rows, 30);
    expect(largest).toBeGreaterThan(1e-4);
    expect(worst).toBeLessThan(1e-9);
    // And the Shapley values by their definition (every coalition), independently of both.
    const explainer = new TreeExplainer(deep);
    for (let i = 0; i < 3; i++) {
      const x = Array.from(rows.subarray(i * 5, i * 5 + 5));
      const { phi } = explainer.explain(x, 'exact');
      bruteForceShapley(deep, x).forEach((values, k) =>
        values.forEach((v, f) => expect(Math.abs(phi[k * 6 + f] - v)).toBeLessThan(1e-9)),
      );
    }
  });

  it('on boosting trees 30+ deep over 40 features', () => {
    const wide = randomEnsemble({
      aggregation: 'softmax',
      classes: 3,
      features: 40,
      trees: 6,
      depth: 34,
      stop: 0.6,
      seed: 11,
    });
    expect(Math.max(...treeDepths(wide.arrays))).toBeGreaterThanOrEqual(30);
    const { worst, largest } = compare(wide, randomRows(30, 40, 0.05, 12), 30);
    expect(largest).toBeGreaterThan(1e-4);
    expect(worst).toBeLessThan(1e-9);
  });

  it('on one-leaf trees, alone and among deep ones', () => {
    const stumps = randomEnsemble({
      aggregation: 'logistic',
      classes: 2,
      features: 4,
      trees: 4,
      depth: 0,
      stop: 0,
      seed: 1,
    });
    expect(stumps.nodeCount).toBe(4);
    const phi = new TreeExplainer(stumps).explain([0.1, 0.2, NaN, 0.4], 'exact').phi;
    expect(Array.from(phi.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    const deep = randomEnsemble({
      aggregation: 'mean',
      classes: 3,
      features: 4,
      trees: 5,
      depth: 14,
      stop: 0.6,
      seed: 3,
    });
    const a = deep.arrays;
    // A sixth tree, one leaf (node `count`) with the first leaf's values.
    const count = deep.nodeCount;
    const mixed = new CompiledEnsemble({
      ...a,
      nodes: Int32Array.from([...a.nodes, 0, 0, count, count]),
      covers: Float32Array.from([...a.covers!, 50]),
      treeRoots: Int32Array.from([...a.treeRoots, count]),
      treeGroups: Int32Array.from([...a.treeGroups, 0]),
    });
    expect(mixed.node(count).values).toHaveLength(3);
    const { worst, largest } = compare(mixed, randomRows(20, 4, 0.1, 5), 20);
    expect(largest).toBeGreaterThan(1e-4);
    expect(worst).toBeLessThan(1e-9);
  });

  // Algorithm 2 divides by 0 there (zero and one fractions both 0), so the check is additivity.
  it('with splits that send no training weight to one side: finite, and adding up to the prediction', () => {
    const empty = randomEnsemble({
      aggregation: 'mean',
      classes: 3,
      features: 4,
      trees: 5,
      depth: 14,
      stop: 0.6,
      empty: 0.3,
      seed: 3,
    });
    expect(Array.from(empty.arrays.covers!).filter((c) => c === 0).length).toBeGreaterThan(10);
    const explainer = new TreeExplainer(empty);
    const rows = randomRows(40, 4, 0.1, 4);
    let largest = 0;
    for (let i = 0; i < 40; i++) {
      const { phi } = explainer.explain(rows, 'exact', i * 4);
      const raw = empty.predictRaw(rows, i * 4);
      for (let k = 0; k < 3; k++) {
        const row = Array.from(phi.subarray(k * 5, k * 5 + 5));
        row.forEach((v) => expect(Number.isFinite(v)).toBe(true));
        largest = Math.max(largest, ...row.slice(0, 4).map(Math.abs));
        expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(raw[k], 9);
      }
    }
    expect(largest).toBeGreaterThan(1e-4);
  });
});
