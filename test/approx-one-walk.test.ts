/**
 * A prediction with approx reasons walks each tree once: the approx walk writes down the leaf it
 * reaches in every tree (TreeExplainer.approxWithLeaves) and the probabilities are summed from
 * those leaves (CompiledEnsemble.probaOfLeaves). These check that the leaves are the ones a plain
 * walk reaches, node by node, and that the probabilities and contributions are bit for bit those
 * of the two separate walks, on random deep ensembles (tree counts not a multiple of the
 * lockstep's eight, 20% missing values), trained models of every aggregation, and the Predictor.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { filesToBundle } from '../lib/artifact/model-bundle.ts';
import { cleanRecord } from '../lib/data/clean-record.ts';
import { TreeExplainer } from '../lib/explain/tree-shap.ts';
import { Predictor } from '../lib/serving/predictor.ts';
import type { CompiledEnsemble } from '../lib/trees/compiled-ensemble.ts';
import { trainSmallForest } from './helpers.ts';
import { randomEnsemble, randomRows, trainedModels } from './tree-shap-helpers.ts';

/** The leaf one tree's plain walk reaches, node by node through CompiledEnsemble.node (no lockstep, no records). */
function plainLeaf(ensemble: CompiledEnsemble, tree: number, x: ArrayLike<number>, offset: number): number {
  let at = ensemble.arrays.treeRoots[tree];
  for (let node = ensemble.node(at); !node.values; node = ensemble.node(at)) {
    const v = x[offset + node.feature];
    const left = v !== v ? node.defaultLeft : Math.fround(v) < node.threshold;
    at = left ? node.left : node.right;
  }
  return at;
}

/** Per row: whether leaves, probabilities and contributions all match; the first mismatch's description otherwise. */
function mismatches(ensemble: CompiledEnsemble, X: ArrayLike<number>, rows: number): string[] {
  const F = ensemble.features;
  const explainer = new TreeExplainer(ensemble);
  const leaves = new Int32Array(ensemble.treeCount);
  const separate = new Float64Array(ensemble.classes);
  const joined = new Float64Array(ensemble.classes);
  const problems: string[] = [];
  for (let i = 0; i < rows; i++) {
    const { phi } = explainer.approxWithLeaves(X, i * F, leaves);
    for (let t = 0; t < ensemble.treeCount; t++) {
      const leaf = plainLeaf(ensemble, t, X, i * F);
      // Where the leaf's values start, as the ensemble's node stores it (word 1 of a leaf).
      const expected = ensemble.arrays.nodes[leaf * 4 + 1];
      if (leaves[t] !== expected)
        problems.push(`row ${i} tree ${t}: leaf values at ${leaves[t]}, plain walk's ${expected}`);
    }
    ensemble.predictProba(X, separate, i * F);
    ensemble.probaOfLeaves(leaves, joined);
    if (separate.some((v, k) => !Object.is(v, joined[k]))) problems.push(`row ${i}: ${joined} vs ${separate}`);
    const alone = explainer.explain(X, 'approx', i * F).phi;
    if (alone.some((v, k) => !Object.is(v, phi[k]))) problems.push(`row ${i}: contributions differ`);
  }
  return problems;
}

describe('approx reasons and the prediction from one walk', () => {
  it.each([
    { aggregation: 'mean' as const, classes: 3, trees: 13, depth: 40 },
    { aggregation: 'softmax' as const, classes: 3, trees: 21, depth: 12 },
    { aggregation: 'logistic' as const, classes: 2, trees: 9, depth: 25 },
  ])(
    'reach the plain walk’s leaf in every tree, with the same probabilities and contributions bit for bit ($aggregation, $trees trees, depth $depth)',
    ({ aggregation, classes, trees, depth }) => {
      const ensemble = randomEnsemble({ aggregation, classes, features: 7, trees, depth, stop: 0.4, seed: trees });
      const rows = 400;
      expect(mismatches(ensemble, randomRows(rows, 7, 0.2, depth), rows)).toEqual([]);
    },
  );

  it('do so on trained models (a fully grown forest, multi-class and binary boosting)', () => {
    const { models, test } = trainedModels();
    for (const model of models) expect(mismatches(model, test.X, test.rows)).toEqual([]);
  });

  it('refuse a leaf list that points past the leaf values, naming the tree', () => {
    const ensemble = randomEnsemble({
      aggregation: 'mean',
      classes: 3,
      features: 4,
      trees: 3,
      depth: 5,
      stop: 0.5,
      seed: 1,
    });
    const leaves = new Int32Array(3);
    new TreeExplainer(ensemble).approxWithLeaves(new Float64Array(4).fill(0.5), 0, leaves);
    leaves[1] = ensemble.arrays.leafValues.length - 2;
    expect(() => ensemble.probaOfLeaves(leaves, new Float64Array(3))).toThrow(
      /tree 1: leaf values at \d+ out of range/,
    );
  });

  it('give the Predictor’s forest the probabilities and label of a prediction without reasons', async () => {
    const forest = await trainSmallForest();
    const { bundle } = filesToBundle(forest.files);
    const records = (
      parse(readFileSync('data/credit_score_customers_raw.csv', 'utf8'), { columns: true }) as Record<string, string>[]
    ).slice(-200);
    const rows = records.map((record) => cleanRecord(bundle.spec, (column) => record[column]));
    const predictor = new Predictor(bundle);
    const explain = { top: 3, method: 'approx' as const, valueOf: () => null };
    let explained = 0;
    for (const row of rows) {
      const { explanation, ...withReasons } = predictor.predictClean(row, explain);
      expect(withReasons).toEqual(predictor.predictClean(row));
      if (explanation && explanation.reasons.length > 0) explained++;
    }
    // The reasons came from the same walk (their values are checked bit for bit above, per ensemble).
    expect(explained).toBeGreaterThan(rows.length / 2);
  }, 120_000);
});
