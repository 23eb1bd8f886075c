/**
 * RandomForestClassifier with scikit-learn's parameter names and defaults. Trees are grown on
 * binned features; probabilities are the mean of the trees' leaf class frequencies.
 */
import type { TaskRunner } from '../parallel/task-runner.ts';
import { toShared } from '../parallel/shared-arrays.ts';
import { checkParams } from '../util/param-spec.ts';
import { Random } from '../util/random.ts';
import { BinMapper } from './binning.ts';
import { CompiledEnsemble, type PackedTrees } from './compiled-ensemble.ts';
import { growAndPackForestTrees, type ForestTreesMessage, type ForestTreesTask } from './forest-trees.ts';
import { checkTrainingData, type FitProgress, type TrainingData } from './training-data.ts';
import { RANDOM_FOREST_DEFAULTS, RANDOM_FOREST_PARAMS, type RandomForestParams } from './random-forest-params.ts';

// Declared once, with defaults, valid values and tuning's search: random-forest-params.ts.
export {
  RANDOM_FOREST_DEFAULTS,
  RANDOM_FOREST_PARAMS,
  type ClassWeight,
  type RandomForestParams,
} from './random-forest-params.ts';

export class RandomForestClassifier {
  readonly params: RandomForestParams;

  constructor(params: Partial<RandomForestParams> = {}) {
    this.params = { ...RANDOM_FOREST_DEFAULTS, ...params };
    checkParams(RANDOM_FOREST_PARAMS, this.params);
  }

  fit(data: TrainingData, onProgress?: FitProgress): CompiledEnsemble {
    const task = this.prepare(data, false);
    let done = 0;
    const parts = growAndPackForestTrees(task, () => onProgress?.(++done, task.seeds.length));
    return CompiledEnsemble.fromPacked(parts, new Array<number>(parts.length).fill(0), this.ensembleOptions(data));
  }

  /**
   * The same forest, its trees grown on the pool's workers in chunks (the binned matrix in
   * shared memory): byte for byte what fit() makes.
   */
  async fitParallel(data: TrainingData, pool: TaskRunner, onProgress?: FitProgress): Promise<CompiledEnsemble> {
    const task = this.prepare(data, true);
    const chunk = Math.max(1, Math.ceil(task.seeds.length / (pool.threads * 2)));
    let done = 0;
    const parts = await Promise.all(
      Array.from({ length: Math.ceil(task.seeds.length / chunk) }, async (_, c) => {
        const seeds = task.seeds.slice(c * chunk, (c + 1) * chunk);
        const message: ForestTreesMessage = { kind: 'forest-trees', ...task, seeds };
        const packed = await pool.run<PackedTrees[]>(message);
        done += seeds.length;
        onProgress?.(done, task.seeds.length);
        return packed;
      }),
    );
    return CompiledEnsemble.fromPacked(
      parts.flat(),
      new Array<number>(task.seeds.length).fill(0),
      this.ensembleOptions(data),
    );
  }

  private prepare(data: TrainingData, shared: boolean): ForestTreesTask {
    checkTrainingData(data);
    const { X, rows, features, y, classes } = data;
    const p = this.params;
    const bins = BinMapper.fit(X, rows, features, p.max_bins);
    const binned = bins.transform(X, rows);
    const rng = new Random(p.random_state);
    // One seed per tree, drawn in order: a tree is the same whichever thread grows it.
    const seeds = Array.from({ length: p.n_estimators }, () => rng.nextUint32());
    const place = shared ? toShared : <T>(a: T): T => a;
    return {
      binned: { ...binned, rowMajor: place(binned.rowMajor), columnMajor: place(binned.columnMajor) },
      thresholds: bins.thresholds,
      y: place(y),
      classes,
      params: {
        maxDepth: p.max_depth,
        minSamplesSplit: p.min_samples_split,
        minSamplesLeaf: p.min_samples_leaf,
        maxFeatures: resolveMaxFeatures(p.max_features, features),
      },
      bootstrap: p.bootstrap,
      classWeight: p.class_weight,
      seeds,
    };
  }

  private ensembleOptions(data: TrainingData): {
    aggregation: 'mean';
    classes: number;
    features: number;
    baseMargin: number[];
  } {
    return {
      aggregation: 'mean',
      classes: data.classes,
      features: data.features,
      baseMargin: new Array<number>(data.classes).fill(0),
    };
  }
}

export function resolveMaxFeatures(maxFeatures: RandomForestParams['max_features'], features: number): number {
  if (maxFeatures === null) return features;
  if (maxFeatures === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(features)));
  if (maxFeatures === 'log2') return Math.max(1, Math.floor(Math.log2(features)));
  if (maxFeatures > 0 && maxFeatures <= 1 && !Number.isInteger(maxFeatures))
    return Math.max(1, Math.floor(maxFeatures * features));
  if (Number.isInteger(maxFeatures) && maxFeatures >= 1) return Math.min(features, maxFeatures);
  throw new RangeError(`max_features must be 'sqrt', 'log2', a fraction or a count, got ${maxFeatures}`);
}
