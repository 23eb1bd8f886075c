/** Random tree ensembles and rows for the explainers' tests (test/tree-shap*.test.ts), and their comparison against a reference. */
import { TreeExplainer, type ExplainMethod } from '../lib/explain/tree-shap.ts';
import { CompiledEnsemble, type Aggregation } from '../lib/trees/compiled-ensemble.ts';
import { GradientBoostingClassifier } from '../lib/trees/gradient-boosting.ts';
import { RandomForestClassifier } from '../lib/trees/random-forest.ts';
import type { TrainingData } from '../lib/trees/training-data.ts';
import { Random } from '../lib/util/random.ts';
import { syntheticThreeClasses } from './helpers.ts';

export interface RandomTrees {
  aggregation: Aggregation;
  classes: number;
  features: number;
  trees: number;
  depth: number;
  /** Chance that a node off the spine (one path per tree that always reaches `depth`) is a leaf. */
  stop: number;
  /** Chance that a split sends no training weight to one side (a child of cover 0). */
  empty?: number;
  seed: number;
}

/**
 * Random trees built node by node (pre-order, children after their parent), so depth, repeated
 * features and odd covers can be had at will. Each tree has a spine, a path that goes on to
 * `depth`; the other nodes are leaves by chance `stop` (0.6 keeps those subtrees small: each
 * node has 0.8 children on average).
 */
export function randomEnsemble(spec: RandomTrees): CompiledEnsemble {
  const rng = new Random(spec.seed);
  const perLeaf = spec.aggregation === 'mean' ? spec.classes : 1;
  const outputs = spec.aggregation === 'logistic' ? 1 : spec.classes;
  const nodes: number[] = [];
  const covers: number[] = [];
  const leafValues: number[] = [];
  const roots: number[] = [];
  const groups: number[] = [];
  const grow = (depth: number, cover: number, spine: boolean): number => {
    const at = nodes.length / 4;
    nodes.push(0, 0, at, at);
    covers.push(cover);
    if (depth >= spec.depth || (!spine && rng.nextFloat() < spec.stop)) {
      nodes[at * 4 + 1] = leafValues.length;
      if (perLeaf === 1) leafValues.push(rng.nextFloat() * 2 - 1);
      else {
        const raw = Array.from({ length: perLeaf }, () => rng.nextFloat());
        const sum = raw.reduce((s, v) => s + v, 0);
        leafValues.push(...raw.map((v) => v / sum));
      }
      return at;
    }
    const feature = rng.nextInt(spec.features);
    nodes[at * 4] = rng.nextFloat() < 0.5 ? feature : feature + spec.features;
    nodes[at * 4 + 1] = new Int32Array(new Float32Array([rng.nextFloat()]).buffer)[0];
    const share = spec.empty && rng.nextFloat() < spec.empty ? 0 : 0.05 + 0.9 * rng.nextFloat();
    const leftFirst = rng.nextFloat() < 0.5;
    const spineLeft = rng.nextFloat() < 0.5;
    nodes[at * 4 + 2] = grow(depth + 1, cover * (leftFirst ? share : 1 - share), spine && spineLeft);
    nodes[at * 4 + 3] = grow(depth + 1, cover * (leftFirst ? 1 - share : share), spine && !spineLeft);
    return at;
  };
  for (let t = 0; t < spec.trees; t++) {
    roots.push(grow(0, 1 + rng.nextFloat() * 100, true));
    groups.push(perLeaf === 1 ? t % outputs : 0);
  }
  return new CompiledEnsemble({
    aggregation: spec.aggregation,
    classes: spec.classes,
    features: spec.features,
    treeRoots: Int32Array.from(roots),
    treeGroups: Int32Array.from(groups),
    nodes: Int32Array.from(nodes),
    leafValues: Float32Array.from(leafValues),
    baseMargin: new Float64Array(outputs).fill(spec.aggregation === 'mean' ? 0 : 0.5),
    covers: Float32Array.from(covers),
  });
}

/** Rows of uniform values in [0, 1), `missing` of them NaN. */
export function randomRows(rows: number, features: number, missing: number, seed: number): Float64Array {
  const rng = new Random(seed);
  return Float64Array.from({ length: rows * features }, () => (rng.nextFloat() < missing ? NaN : rng.nextFloat()));
}

/**
 * The largest difference between the explainer's feature contributions by `method` and the
 * reference's (biases left out) over `rows` rows, and the reference's largest size.
 */
export function compareContributions(
  ensemble: CompiledEnsemble,
  method: ExplainMethod,
  reference: (X: ArrayLike<number>, offset: number) => Float64Array,
  X: ArrayLike<number>,
  rows: number,
): { worst: number; largest: number } {
  const F = ensemble.features;
  const explainer = new TreeExplainer(ensemble);
  let worst = 0;
  let largest = 0;
  for (let i = 0; i < rows; i++) {
    const { phi } = explainer.explain(X, method, i * F);
    const expected = reference(X, i * F);
    for (let o = 0; o < ensemble.outputs; o++) {
      for (let f = 0; f < F; f++) {
        worst = Math.max(worst, Math.abs(phi[o * (F + 1) + f] - expected[o * (F + 1) + f]));
        largest = Math.max(largest, Math.abs(expected[o * (F + 1) + f]));
      }
    }
  }
  return { worst, largest };
}

/**
 * Trained models of both kinds on three classes from six features (10% missing): an unlimited
 * forest (here ~20 deep, splitting on its six features again and again), multi-class boosting
 * and binary boosting; and 60 test rows.
 */
export function trainedModels(): { models: CompiledEnsemble[]; test: TrainingData } {
  const train = syntheticThreeClasses(1500, 6, 3, { weights: [1, 2, 3], cut: 0.8, missing: 0.1 });
  const test = syntheticThreeClasses(60, 6, 4, { weights: [1, 2, 3], cut: 0.8, missing: 0.1 });
  const models = [
    new RandomForestClassifier({ n_estimators: 10, random_state: 1 }).fit(train),
    new GradientBoostingClassifier({ n_estimators: 10, max_depth: 6, random_state: 1 }).fit(train),
    new GradientBoostingClassifier({ n_estimators: 10, max_depth: 4, random_state: 1 }).fit({
      ...train,
      y: train.y.map((c) => (c === 2 ? 1 : 0)),
      classes: 2,
    }),
  ];
  return { models, test };
}
