import { describe, expect, it } from 'vitest';
import { TreeExplainer } from '../lib/explain/tree-shap.ts';
import { CompiledEnsemble, treeDepths } from '../lib/trees/compiled-ensemble.ts';
import { compareContributions, randomEnsemble, randomRows, trainedModels } from './tree-shap-helpers.ts';

/**
 * Saabas by its definition, independent of the explainer's records and lockstep walk: one tree at
 * a time, node by node through CompiledEnsemble.node, each split crediting its feature with the
 * change of the cover-weighted mean (computed here by recursion) from the node to the child the
 * row takes. Feature contributions only.
 */
function saabasByDefinition(ensemble: CompiledEnsemble, x: ArrayLike<number>, offset: number): Float64Array {
  const F = ensemble.features;
  const a = ensemble.arrays;
  const covers = a.covers!;
  const forest = a.aggregation === 'mean';
  const scale = forest ? 1 / a.treeRoots.length : 1;
  const memo = new Map<number, number[]>();
  const mean = (i: number): number[] => {
    const known = memo.get(i);
    if (known) return known;
    const node = ensemble.node(i);
    const value = node.values
      ? node.values
      : covers[i] > 0
        ? mean(node.left).map((l, k) => (l * covers[node.left] + mean(node.right)[k] * covers[node.right]) / covers[i])
        : mean(node.left).map(() => 0);
    memo.set(i, value);
    return value;
  };
  const phi = new Float64Array(ensemble.outputs * (F + 1));
  a.treeRoots.forEach((root, t) => {
    const first = forest ? 0 : a.treeGroups[t];
    let at = root;
    for (let node = ensemble.node(at); !node.values; node = ensemble.node(at)) {
      const v = x[offset + node.feature];
      const next =
        v !== v
          ? node.defaultLeft
            ? node.left
            : node.right
          : Math.fround(v) < node.threshold
            ? node.left
            : node.right;
      mean(next).forEach((m, k) => (phi[(first + k) * (F + 1) + node.feature] += (m - mean(at)[k]) * scale));
      at = next;
    }
  });
  return phi;
}

/** The largest difference between the approx method's and the reference's feature contributions over `rows` rows, and the reference's largest size. */
function compare(ensemble: CompiledEnsemble, X: ArrayLike<number>, rows: number): { worst: number; largest: number } {
  return compareContributions(ensemble, 'approx', (X, offset) => saabasByDefinition(ensemble, X, offset), X, rows);
}

// The explainer sums the same terms eight trees at a time, step by step; the definition sums
// them tree by tree: the order differs, hence 1e-12 rather than bit for bit (bench/explain.ts
// checks bit for bit against the previous walk on the shipped model).
describe('approx contributions (records walked in lockstep) equal Saabas by its definition to 1e-12', () => {
  it('on a deep forest and on multi-class and binary boosting, missing values included', () => {
    const { models, test } = trainedModels();
    expect(Math.max(...treeDepths(models[0].arrays))).toBeGreaterThan(12);
    for (const model of models) {
      const { worst, largest } = compare(model, test.X, test.rows);
      expect(largest).toBeGreaterThan(1e-3);
      expect(worst).toBeLessThan(1e-12);
    }
  });

  it('on forest trees 30+ deep over 5 features, 11 trees (a short last lockstep group of 3)', () => {
    const deep = randomEnsemble({
      aggregation: 'mean',
      classes: 3,
      features: 5,
      trees: 11,
      depth: 40,
      stop: 0.6,
      seed: 7,
    });
    expect(Math.max(...treeDepths(deep.arrays))).toBeGreaterThanOrEqual(30);
    const { worst, largest } = compare(deep, randomRows(40, 5, 0.1, 8), 40);
    expect(largest).toBeGreaterThan(1e-4);
    expect(worst).toBeLessThan(1e-12);
  });

  it('on softmax boosting trees 30+ deep over 40 features, each tree adding to its class', () => {
    const wide = randomEnsemble({
      aggregation: 'softmax',
      classes: 3,
      features: 40,
      trees: 9,
      depth: 34,
      stop: 0.6,
      seed: 11,
    });
    expect(Math.max(...treeDepths(wide.arrays))).toBeGreaterThanOrEqual(30);
    const { worst, largest } = compare(wide, randomRows(30, 40, 0.05, 12), 30);
    expect(largest).toBeGreaterThan(1e-4);
    expect(worst).toBeLessThan(1e-12);
  });

  it('on one-leaf trees among deep ones (a leaf as a root), and on splits with an empty side', () => {
    const deep = randomEnsemble({
      aggregation: 'mean',
      classes: 3,
      features: 4,
      trees: 5,
      depth: 14,
      stop: 0.6,
      empty: 0.3,
      seed: 3,
    });
    const a = deep.arrays;
    // Every node moved up by one, a one-leaf tree (node 0, the first leaf's values) first and last.
    const count = deep.nodeCount;
    const mixed = new CompiledEnsemble({
      ...a,
      nodes: Int32Array.from([0, 0, 0, 0, ...a.nodes.map((v, w) => (w % 4 >= 2 ? v + 1 : v))]),
      covers: Float32Array.from([50, ...a.covers!]),
      treeRoots: Int32Array.from([0, ...a.treeRoots.map((r) => r + 1), 0]),
      treeGroups: new Int32Array(a.treeRoots.length + 2),
    });
    expect(mixed.node(0).values).toHaveLength(3);
    expect(mixed.nodeCount).toBe(count + 1);
    expect(Array.from(mixed.arrays.covers!).filter((c) => c === 0).length).toBeGreaterThan(10);
    const rows = randomRows(30, 4, 0.1, 5);
    const { worst, largest } = compare(mixed, rows, 30);
    expect(largest).toBeGreaterThan(1e-4);
    expect(worst).toBeLessThan(1e-12);
    // And they add up to the prediction: the one-leaf trees add to the bias only.
    const explainer = new TreeExplainer(mixed);
    for (let i = 0; i < 30; i++) {
      const { phi } = explainer.explain(rows, 'approx', i * 4);
      const raw = mixed.predictRaw(rows, i * 4);
      for (let k = 0; k < 3; k++)
        expect(phi.subarray(k * 5, k * 5 + 5).reduce((s, v) => s + v, 0)).toBeCloseTo(raw[k], 12);
    }
  });
});
