/**
 * Gradient boosting with XGBoost's algorithm and parameter names (the `hist` tree method):
 * softmax for multi-class, logistic for binary, second-order gradients, row and column
 * subsampling per tree, and a base_score of 0.5 as in XGBoost 1.7.
 */
import { Random } from '../util/random.ts';
import { BinMapper, MISSING_BIN as MISSING_BIN_EXPORT, type BinnedMatrix } from './binning.ts';
import { CompiledEnsemble } from './compiled-ensemble.ts';
import type { TrainingPool } from '../parallel/training-pool.ts';
import { GradientTreeBuilder } from './gradient-tree-builder.ts';
import { computeGradients } from './boosting-gradients.ts';
import { BoostingTeam } from './boosting-team.ts';
import { createWorkspace, type BoostingWorkspace } from './boosting-workspace.ts';
import { checkTrainingData, type FitProgress, type TrainingData } from './training-data.ts';
import type { Tree } from './tree.ts';

// Module-local copies: an imported binding read in a hot loop costs a getter call per read
// under some loaders (measured: a quarter of boosting's time).
const MISSING_BIN = MISSING_BIN_EXPORT;

export interface GradientBoostingParams {
  n_estimators: number;
  learning_rate: number;
  max_depth: number;
  min_child_weight: number;
  reg_lambda: number;
  gamma: number;
  subsample: number;
  colsample_bytree: number;
  base_score: number;
  max_bin: number;
  random_state: number;
}

export const GRADIENT_BOOSTING_DEFAULTS: GradientBoostingParams = {
  n_estimators: 100,
  learning_rate: 0.3,
  max_depth: 6,
  min_child_weight: 1,
  reg_lambda: 1,
  gamma: 0,
  subsample: 1,
  colsample_bytree: 1,
  base_score: 0.5,
  max_bin: 256,
  random_state: 0,
};

export class GradientBoostingClassifier {
  readonly params: GradientBoostingParams;

  constructor(params: Partial<GradientBoostingParams> = {}) {
    this.params = { ...GRADIENT_BOOSTING_DEFAULTS, ...params };
    const p = this.params;
    if (!(p.subsample > 0 && p.subsample <= 1)) throw new RangeError('subsample must be in (0, 1]');
    if (!(p.colsample_bytree > 0 && p.colsample_bytree <= 1)) throw new RangeError('colsample_bytree must be in (0, 1]');
    if (!(p.base_score > 0 && p.base_score < 1)) throw new RangeError('base_score must be in (0, 1)');
  }

  fit(data: TrainingData, onProgress?: FitProgress): CompiledEnsemble {
    return this.boost(this.prepare(data, false), null, onProgress);
  }

  /**
   * The same model, byte for byte, each large node's histogram built by this thread and up to
   * pool.threads - 1 helpers on the pool's workers (those that are free; none: fit() alone).
   */
  async fitParallel(data: TrainingData, pool: TrainingPool, onProgress?: FitProgress, options: ParallelFitOptions = {}): Promise<CompiledEnsemble> {
    if (pool.threads < 2) return this.fit(data, onProgress);
    const prepared = this.prepare(data, true);
    const team = new BoostingTeam(pool, prepared.workspace, pool.threads - 1, options.answerDeadlineMs);
    try {
      // Running workers join within milliseconds; a busy pool is not waited for.
      await team.joined(options.joinWaitMs ?? 250);
      const ensemble = this.boost(prepared, team, onProgress);
      if (options.stats) options.stats.sharedSteps = team.sharedSteps;
      return ensemble;
    } catch (err) {
      team.close();
      throw (await team.failure()) ?? err;
    } finally {
      team.close();
      await team.failure();
    }
  }

  private prepare(data: TrainingData, shared: boolean): Prepared {
    checkTrainingData(data);
    const { X, rows, features, classes } = data;
    const p = this.params;
    const bins = BinMapper.fit(X, rows, features, p.max_bin);
    const binned = bins.transform(X, rows);
    const outputs = classes === 2 ? 1 : classes;
    const workspace = createWorkspace(binned, data.y, outputs, p.max_depth, shared);
    return { data, bins, binned: { ...binned, rowMajor: workspace.rowMajor, columnMajor: workspace.columnMajor }, workspace, outputs };
  }

  private boost({ data, bins, binned, workspace, outputs }: Prepared, team: BoostingTeam | null, onProgress?: FitProgress): CompiledEnsemble {
    const { rows, features, y, classes } = data;
    const p = this.params;
    const builder = new GradientTreeBuilder(
      binned,
      bins,
      { maxDepth: p.max_depth, minChildWeight: p.min_child_weight, regLambda: p.reg_lambda, gamma: p.gamma, learningRate: p.learning_rate },
      workspace,
      team,
    );
    const binary = classes === 2;
    // XGBoost 1.7 adds base_score to multi-class margins as is, and as a logit for binary.
    const baseMargin = binary ? Math.log(p.base_score / (1 - p.base_score)) : p.base_score;
    const margins = workspace.margins.fill(baseMargin);
    const rng = new Random(p.random_state);
    const trees: Tree[] = [];
    const groups: number[] = [];
    const allRows = Int32Array.from({ length: rows }, (_, i) => i);
    const allFeatures = Int32Array.from({ length: features }, (_, f) => f);
    for (let round = 0; round < p.n_estimators; round++) {
      if (!team?.gradients()) computeGradients(margins, y, outputs, workspace.gradHess, 0, rows);
      for (let k = 0; k < outputs; k++) {
        const sampled = p.subsample < 1 ? sampleRows(rows, p.subsample, rng) : allRows;
        const used = p.colsample_bytree < 1 ? sampleFeatures(features, p.colsample_bytree, rng) : allFeatures;
        const tree = builder.grow(k, sampled, used, (value, order, start, end) => {
          if (sampled !== allRows) return;
          for (let i = start; i < end; i++) margins[order[i] * outputs + k] += value;
        });
        // Rows left out of the sample still need this tree's output for the next gradients.
        if (sampled !== allRows) addTreeOutput(tree, binned, margins, outputs, k);
        trees.push(tree);
        groups.push(k);
      }
      onProgress?.(round + 1, p.n_estimators);
    }
    return CompiledEnsemble.fromTrees(trees, groups, {
      aggregation: binary ? 'logistic' : 'softmax',
      classes,
      features,
      baseMargin: new Array<number>(outputs).fill(baseMargin),
    });
  }
}

export interface ParallelFitOptions {
  /** How long a helper may take over one step before the fit gives up on it (default 60 s). */
  answerDeadlineMs?: number;
  /** How long the fit waits for helpers to join before it starts with those there (default 250 ms). */
  joinWaitMs?: number;
  /** Filled in after the fit: how many steps were shared with helpers. */
  stats?: { sharedSteps?: number };
}

/** A fit's binned data and workspace, ready to boost. */
interface Prepared {
  data: TrainingData;
  bins: BinMapper;
  binned: BinnedMatrix;
  workspace: BoostingWorkspace;
  outputs: number;
}

function sampleRows(rows: number, fraction: number, rng: Random): Int32Array {
  const picked: number[] = [];
  for (let i = 0; i < rows; i++) if (rng.nextFloat() < fraction) picked.push(i);
  if (picked.length === 0) picked.push(rng.nextInt(rows));
  return Int32Array.from(picked);
}

function sampleFeatures(features: number, fraction: number, rng: Random): Int32Array {
  const count = Math.max(1, Math.floor(features * fraction));
  const order = rng.shuffle(Int32Array.from({ length: features }, (_, f) => f));
  return order.subarray(0, count).sort();
}

function addTreeOutput(tree: Tree, binned: BinnedMatrix, margins: Float64Array, outputs: number, k: number): void {
  const p = binned.features;
  for (let i = 0; i < binned.rows; i++) {
    let node = 0;
    while (tree.feature[node] >= 0) {
      const b = binned.rowMajor[i * p + tree.feature[node]];
      const goLeft = b === MISSING_BIN ? tree.defaultLeft[node] === 1 : b <= tree.splitBin[node];
      node = goLeft ? tree.left[node] : tree.right[node];
    }
    margins[i * outputs + k] += tree.leafValues[tree.left[node]];
  }
}
