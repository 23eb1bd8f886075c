import { describe, expect, it } from 'vitest';
import { BinMapper, MISSING_BIN } from '../lib/trees/binning.ts';
import { CompiledEnsemble } from '../lib/trees/compiled-ensemble.ts';
import { GradientBoostingClassifier } from '../lib/trees/gradient-boosting.ts';
import { RandomForestClassifier } from '../lib/trees/random-forest.ts';
import type { TrainingData } from '../lib/trees/training-data.ts';
import { syntheticThreeClasses } from './helpers.ts';

function proba(ensemble: CompiledEnsemble, row: number[]): number[] {
  const out = new Float64Array(ensemble.classes);
  ensemble.predictProba(row, out);
  return Array.from(out);
}

/** Three classes decided by the sum of the first 3 of `p` uniform features. */
function synthetic(rows: number, p: number, seed: number): TrainingData {
  return syntheticThreeClasses(rows, p, seed);
}

function accuracy(ensemble: CompiledEnsemble, data: TrainingData): number {
  const P = ensemble.predictProbaBatch(data.X, data.rows);
  let ok = 0;
  for (let i = 0; i < data.rows; i++) {
    let best = 0;
    for (let k = 1; k < data.classes; k++) if (P[i * data.classes + k] > P[i * data.classes + best]) best = k;
    if (best === data.y[i]) ok++;
  }
  return ok / data.rows;
}

describe('binning', () => {
  it('uses midpoints between few distinct values and routes x < threshold <=> bin <= b', () => {
    const X = Float64Array.from([1, 2, 2, 3, NaN, 10]);
    const bins = BinMapper.fit(X, 6, 1);
    expect(Array.from(bins.thresholds[0])).toEqual([1.5, 2.5, 6.5]);
    expect([1, 2, 3, 10, NaN].map((v) => bins.binOf(0, v))).toEqual([0, 1, 2, 3, MISSING_BIN]);
    for (const v of [1, 2, 3, 10]) {
      const b = bins.binOf(0, v);
      for (let t = 0; t < 3; t++) expect(Math.fround(v) < bins.thresholdAfter(0, t)).toBe(b <= t);
    }
  });

  it('caps many distinct values at 255 quantile bins of similar size', () => {
    const n = 10000;
    const X = Float64Array.from({ length: n }, (_, i) => Math.sqrt(i));
    const bins = BinMapper.fit(X, n, 1);
    expect(bins.valueBins[0]).toBeLessThanOrEqual(255);
    expect(bins.valueBins[0]).toBeGreaterThan(250);
    const sizes = new Array<number>(256).fill(0);
    for (let i = 0; i < n; i++) sizes[bins.binOf(0, X[i])]++;
    const used = sizes.filter((s) => s > 0);
    expect(Math.max(...used)).toBeLessThanOrEqual(2 * Math.ceil(n / 255));
  });
});

describe('random forest (scikit-learn semantics)', () => {
  it('finds a known split: one stump on the informative feature, leaves hold class frequencies', () => {
    // Feature 1 decides the class except for one noisy row; feature 0 is noise.
    const X = Float64Array.from([5, 0.1, 3, 0.2, 8, 0.3, 1, 0.35, 7, 0.7, 2, 0.8, 9, 0.9, 4, 0.95]);
    const y = Int32Array.from([0, 0, 0, 1, 1, 1, 1, 1]);
    const forest = new RandomForestClassifier({
      n_estimators: 1,
      max_depth: 1,
      max_features: null,
      bootstrap: false,
    }).fit({ X, rows: 8, features: 2, y, classes: 2 });
    expect(forest.node(0).feature).toBe(1);
    expect(forest.node(0).threshold).toBeCloseTo(0.325, 6);
    expect(proba(forest, [0, 0.2])).toEqual([1, 0]);
    expect(proba(forest, [0, 0.9])).toEqual([0, 1]);
  });

  it('learns where missing values go', () => {
    // Missing feature values mean class 1; present values alone cannot separate.
    const rows = 200;
    const X = Float64Array.from({ length: rows }, (_, i) => (i % 2 ? NaN : i % 7));
    const y = Int32Array.from({ length: rows }, (_, i) => i % 2);
    const forest = new RandomForestClassifier({ n_estimators: 5, random_state: 1 }).fit({
      X,
      rows,
      features: 1,
      y,
      classes: 2,
    });
    expect(proba(forest, [NaN])[1]).toBeGreaterThan(0.99);
    expect(proba(forest, [3])[0]).toBeGreaterThan(0.99);
  });

  it('generalises on a synthetic task and is deterministic per seed', () => {
    const train = synthetic(3000, 8, 1);
    const test = synthetic(1000, 8, 2);
    const a = new RandomForestClassifier({ n_estimators: 30, random_state: 7 }).fit(train);
    expect(accuracy(a, test)).toBeGreaterThan(0.85);
    const b = new RandomForestClassifier({ n_estimators: 30, random_state: 7 }).fit(train);
    expect(Buffer.from(b.toBuffer()).equals(Buffer.from(a.toBuffer()))).toBe(true);
    const c = new RandomForestClassifier({ n_estimators: 30, random_state: 8 }).fit(train);
    expect(Buffer.from(c.toBuffer()).equals(Buffer.from(a.toBuffer()))).toBe(false);
    const sum = proba(a, Array.from(test.X.subarray(0, 8))).reduce((s, v) => s + v, 0);
    expect(sum).toBeCloseTo(1, 6);
  });

  it('honours min_samples_leaf and max_depth', () => {
    const train = synthetic(500, 4, 3);
    const forest = new RandomForestClassifier({
      n_estimators: 3,
      max_depth: 3,
      min_samples_leaf: 20,
      random_state: 1,
    }).fit(train);
    const depth = (i: number): number => {
      const node = forest.node(i);
      return node.feature < 0 ? 0 : 1 + Math.max(depth(node.left), depth(node.right));
    };
    for (const root of forest.arrays.treeRoots) expect(depth(root)).toBeLessThanOrEqual(3);
    for (let i = 0; i < forest.nodeCount; i++) {
      const node = forest.node(i);
      if (node.feature < 0) expect(node.values!.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    }
  });
});

describe('gradient boosting (XGBoost algorithm)', () => {
  it('computes the first leaf weights by hand: -G/(H+lambda) * eta', () => {
    // Binary, base_score 0.5 -> p = 0.5, g = 0.5 - y, h = 0.25. Pure halves of 10 rows each.
    const X = Float64Array.from({ length: 20 }, (_, i) => i);
    const y = Int32Array.from({ length: 20 }, (_, i) => (i < 10 ? 0 : 1));
    const model = new GradientBoostingClassifier({ n_estimators: 1, max_depth: 1, learning_rate: 0.3 }).fit({
      X,
      rows: 20,
      features: 1,
      y,
      classes: 2,
    });
    const root = model.node(0);
    expect(root.feature).toBe(0);
    expect(root.threshold).toBe(9.5);
    const leftValue = model.node(root.left).values![0];
    const rightValue = model.node(root.right).values![0];
    expect(leftValue).toBeCloseTo(Math.fround((-(10 * 0.5) / (10 * 0.25 + 1)) * 0.3), 7);
    expect(rightValue).toBeCloseTo(Math.fround(((10 * 0.5) / (10 * 0.25 + 1)) * 0.3), 7);
    expect(proba(model, [3])[1]).toBeCloseTo(1 / (1 + Math.exp(-leftValue)), 7);
  });

  it('does not split below min_child_weight or when gamma exceeds the gain', () => {
    const X = Float64Array.from({ length: 20 }, (_, i) => i);
    const y = Int32Array.from({ length: 20 }, (_, i) => (i < 10 ? 0 : 1));
    const data = { X, rows: 20, features: 1, y, classes: 2 };
    expect(new GradientBoostingClassifier({ n_estimators: 1, min_child_weight: 3 }).fit(data).nodeCount).toBe(1);
    // Gain of the split above: 2 * 5^2/3.5 - 0 = 14.29; gamma 20 prunes it, gamma 10 keeps it.
    expect(new GradientBoostingClassifier({ n_estimators: 1, max_depth: 1, gamma: 20 }).fit(data).nodeCount).toBe(1);
    expect(new GradientBoostingClassifier({ n_estimators: 1, max_depth: 1, gamma: 10 }).fit(data).nodeCount).toBe(3);
  });

  it('learns a default direction for missing values', () => {
    const rows = 400;
    const X = Float64Array.from({ length: rows }, (_, i) => (i % 2 ? NaN : i % 5));
    const y = Int32Array.from({ length: rows }, (_, i) => i % 2);
    const model = new GradientBoostingClassifier({ n_estimators: 20 }).fit({ X, rows, features: 1, y, classes: 2 });
    expect(proba(model, [NaN])[1]).toBeGreaterThan(0.95);
    expect(proba(model, [2])[0]).toBeGreaterThan(0.95);
  });

  it('softmax multi-class generalises, subsampling included, and is deterministic per seed', () => {
    const train = synthetic(3000, 8, 1);
    const test = synthetic(1000, 8, 2);
    const params = { n_estimators: 40, subsample: 0.8, colsample_bytree: 0.8, random_state: 3 };
    const a = new GradientBoostingClassifier(params).fit(train);
    expect(a.aggregation).toBe('softmax');
    expect(a.treeCount).toBe(120);
    expect(accuracy(a, test)).toBeGreaterThan(0.88);
    const b = new GradientBoostingClassifier(params).fit(train);
    expect(Buffer.from(b.toBuffer()).equals(Buffer.from(a.toBuffer()))).toBe(true);
  });
});

describe('compiled ensemble binary', () => {
  const model = new GradientBoostingClassifier({ n_estimators: 5 }).fit(synthetic(500, 4, 1));
  const bytes = model.toBuffer();

  it('round-trips to identical predictions, also from an unaligned copy', () => {
    const unaligned = new Uint8Array(bytes.length + 1).subarray(1);
    unaligned.set(bytes);
    for (const input of [bytes, unaligned]) {
      const back = CompiledEnsemble.fromBuffer(input);
      expect(proba(back, [0.1, -0.2, 0.3, 0.9])).toEqual(proba(model, [0.1, -0.2, 0.3, 0.9]));
    }
  });

  it('refuses corrupt bytes instead of walking out of bounds', () => {
    expect(() => CompiledEnsemble.fromBuffer(bytes.subarray(0, 20))).toThrow(/too short/);
    expect(() => CompiledEnsemble.fromBuffer(bytes.subarray(0, bytes.length - 8))).toThrow(
      /corrupt|out of bounds|trailing/,
    );
    const badMagic = bytes.slice();
    badMagic[0] ^= 0xff;
    expect(() => CompiledEnsemble.fromBuffer(badMagic)).toThrow(/magic/);
    // A child pointing back at its root would loop forever: refused.
    const { arrays } = CompiledEnsemble.fromBuffer(bytes.slice());
    // Node 0's words: [slot, threshold, left, right]. A child out of range, or back at its root:
    expect(
      () => new CompiledEnsemble({ ...arrays, nodes: Int32Array.from(arrays.nodes, (v, i) => (i === 2 ? 1e6 : v)) }),
    ).toThrow(/children out of range/);
    expect(
      () => new CompiledEnsemble({ ...arrays, nodes: Int32Array.from(arrays.nodes, (v, i) => (i === 6 ? 0 : v)) }),
    ).toThrow(/node 1 children out of range|leaf 1 is malformed/);
    expect(
      () => new CompiledEnsemble({ ...arrays, nodes: Int32Array.from(arrays.nodes, (v, i) => (i === 0 ? 99 : v)) }),
    ).toThrow(/out of range \(slot 99\)/);
  });
});
