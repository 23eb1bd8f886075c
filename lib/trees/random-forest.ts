/**
 * RandomForestClassifier with scikit-learn's parameter names and defaults. Trees are grown on
 * binned features; probabilities are the mean of the trees' leaf class frequencies.
 */
import { Random } from '../util/random.ts';
import { BinMapper } from './binning.ts';
import { CompiledEnsemble } from './compiled-ensemble.ts';
import { GiniTreeBuilder } from './gini-tree-builder.ts';
import { checkTrainingData, type FitProgress, type TrainingData } from './training-data.ts';
import type { Tree } from './tree.ts';

export interface RandomForestParams {
  n_estimators: number;
  /** null grows trees until leaves are pure or too small to split. */
  max_depth: number | null;
  min_samples_split: number;
  min_samples_leaf: number;
  /** Features drawn per split: 'sqrt', 'log2', a fraction (0, 1], or a count. */
  max_features: 'sqrt' | 'log2' | number | null;
  bootstrap: boolean;
  random_state: number;
  /** Bins per feature (ours; scikit-learn splits on exact values). */
  max_bins: number;
}

export const RANDOM_FOREST_DEFAULTS: RandomForestParams = {
  n_estimators: 100,
  max_depth: null,
  min_samples_split: 2,
  min_samples_leaf: 1,
  max_features: 'sqrt',
  bootstrap: true,
  random_state: 0,
  max_bins: 256,
};

export class RandomForestClassifier {
  readonly params: RandomForestParams;

  constructor(params: Partial<RandomForestParams> = {}) {
    this.params = { ...RANDOM_FOREST_DEFAULTS, ...params };
  }

  fit(data: TrainingData, onProgress?: FitProgress): CompiledEnsemble {
    checkTrainingData(data);
    const { X, rows, features, y, classes } = data;
    const p = this.params;
    const bins = BinMapper.fit(X, rows, features, p.max_bins);
    const binned = bins.transform(X, rows);
    const builder = new GiniTreeBuilder(binned, bins, y, classes, {
      maxDepth: p.max_depth,
      minSamplesSplit: p.min_samples_split,
      minSamplesLeaf: p.min_samples_leaf,
      maxFeatures: resolveMaxFeatures(p.max_features, features),
    });
    const rng = new Random(p.random_state);
    const trees: Tree[] = [];
    const weights = new Float64Array(rows);
    for (let t = 0; t < p.n_estimators; t++) {
      const treeRng = rng.fork();
      if (p.bootstrap) {
        weights.fill(0);
        for (let i = 0; i < rows; i++) weights[treeRng.nextInt(rows)]++;
      } else {
        weights.fill(1);
      }
      trees.push(builder.grow(weights, treeRng));
      onProgress?.(t + 1, p.n_estimators);
    }
    return CompiledEnsemble.fromTrees(trees, new Array<number>(trees.length).fill(0), {
      aggregation: 'mean',
      classes,
      features,
      baseMargin: new Array<number>(classes).fill(0),
    });
  }
}

export function resolveMaxFeatures(maxFeatures: RandomForestParams['max_features'], features: number): number {
  if (maxFeatures === null) return features;
  if (maxFeatures === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(features)));
  if (maxFeatures === 'log2') return Math.max(1, Math.floor(Math.log2(features)));
  if (maxFeatures > 0 && maxFeatures <= 1 && !Number.isInteger(maxFeatures)) return Math.max(1, Math.floor(maxFeatures * features));
  if (Number.isInteger(maxFeatures) && maxFeatures >= 1) return Math.min(features, maxFeatures);
  throw new RangeError(`max_features must be 'sqrt', 'log2', a fraction or a count, got ${maxFeatures}`);
}
