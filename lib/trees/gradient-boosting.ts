/**
 * Gradient boosting with XGBoost's algorithm and parameter names (the `hist` tree method):
 * softmax for multi-class, logistic for binary, second-order gradients, row and column
 * subsampling per tree, and a base_score of 0.5 as in XGBoost 1.7. Optional early stopping on
 * held-out rows (early_stopping_rounds) and monotone constraints (monotone_constraints), both
 * with XGBoost's semantics (lib/trees/early-stopping.ts, gradient-tree-builder.ts).
 */
import { checkParams } from '../util/param-spec.ts';
import { Random } from '../util/random.ts';
import { BinMapper, type BinnedMatrix } from './binning.ts';
import { balancedClassWeights } from './class-weights.ts';
import { CompiledEnsemble } from './compiled-ensemble.ts';
import type { TaskRunner } from '../parallel/task-runner.ts';
import { GradientTreeBuilder, type GradientTreeParams } from './gradient-tree-builder.ts';
import { computeGradients } from './boosting-gradients.ts';
import { canQuantise, quantiseGradients, roundingStream } from './boosting-quantise.ts';
import { RoundPlan } from './boosting-round.ts';
import { BoostingTeam, MAX_TREES_BESIDE_SPLIT, SPLIT_DEPTH, treeGrowing } from './boosting-team.ts';
import { createWorkspace, type BoostingWorkspace } from './boosting-workspace.ts';
import { EarlyStopping } from './early-stopping.ts';
import { checkTrainingData, subsetRows, type FitProgress, type TrainingData } from './training-data.ts';
import { stratifiedHoldout } from '../evaluation/stratified-holdout.ts';
import type { Tree } from './tree.ts';
import {
  GRADIENT_BOOSTING_DEFAULTS,
  GRADIENT_BOOSTING_PARAMS,
  type GradientBoostingParams,
} from './gradient-boosting-params.ts';

// Declared once, with defaults, valid values and tuning's search: gradient-boosting-params.ts.
export {
  GRADIENT_BOOSTING_DEFAULTS,
  GRADIENT_BOOSTING_PARAMS,
  type GradientBoostingParams,
} from './gradient-boosting-params.ts';

/** Salt of the holdout's seed, so that it does not replay the row-sampling stream of the same random_state. */
const HOLDOUT_SALT = 0x5eed;
/** Salt of the quantisation's rounding stream, so that it does not replay the row-sampling stream. */
const QUANTISE_SALT = 0x9a4e;

export class GradientBoostingClassifier {
  readonly params: GradientBoostingParams;

  constructor(params: Partial<GradientBoostingParams> = {}) {
    this.params = { ...GRADIENT_BOOSTING_DEFAULTS, ...params };
    checkParams(GRADIENT_BOOSTING_PARAMS, this.params);
  }

  /**
   * Fits on `data`. With early stopping, `validation` are the rows it watches (drawn by the
   * caller before any resampling, so no copy of them is fitted on); without them, a stratified
   * validation_fraction of `data` is held out.
   */
  fit(data: TrainingData, onProgress?: FitProgress, validation?: TrainingData): CompiledEnsemble {
    const { fit, held } = this.split(data, validation);
    return this.boost(this.prepare(fit, false), null, onProgress, held);
  }

  /**
   * The same model, byte for byte, grown by this thread and up to pool.threads - 1 helpers on
   * the pool's workers (those that are free; none: fit() alone): a round's trees side by side,
   * and each large step of a tree grown alone (lib/trees/boosting-team.ts).
   */
  async fitParallel(
    data: TrainingData,
    pool: TaskRunner,
    onProgress?: FitProgress,
    options: ParallelFitOptions = {},
  ): Promise<CompiledEnsemble> {
    if (pool.threads < 2) return this.fit(data, onProgress, options.validation);
    const { fit, held } = this.split(data, options.validation);
    const prepared = this.prepare(fit, true);
    const growing = treeGrowing(
      prepared.bins.thresholds,
      prepared.treeParams,
      prepared.plan,
      prepared.data.rows,
      prepared.outputs,
    );
    const team = new BoostingTeam(pool, prepared.workspace, growing, pool.threads - 1, options.answerDeadlineMs);
    try {
      // Running workers join within milliseconds; a busy pool is not waited for.
      await team.joined(options.joinWaitMs ?? 250);
      const ensemble = this.boost(prepared, team, onProgress, held);
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

  /** The rows to fit on and, with early stopping, the rows to watch. */
  private split(
    data: TrainingData,
    validation: TrainingData | undefined,
  ): { fit: TrainingData; held: TrainingData | null } {
    checkTrainingData(data);
    if (this.params.early_stopping_rounds === 0) return { fit: data, held: null };
    if (validation) {
      checkTrainingData(validation);
      if (validation.features !== data.features || validation.classes !== data.classes)
        throw new RangeError('validation rows differ from the training rows in features or classes');
      return { fit: data, held: validation };
    }
    return this.holdOut(data);
  }

  /**
   * The stratified validation_fraction of `data` that early stopping watches (seeded by
   * random_state), and the rest to fit on. Callers that resample draw it first (see fit).
   */
  holdOut(data: TrainingData): { fit: TrainingData; held: TrainingData } {
    const { fit, held } = stratifiedHoldout(
      data.y,
      data.classes,
      this.params.validation_fraction,
      this.params.random_state ^ HOLDOUT_SALT,
    );
    if (held.length === 0) throw new RangeError('early stopping needs at least two rows of some class to hold one out');
    return { fit: subsetRows(data, fit), held: subsetRows(data, held) };
  }

  private prepare(data: TrainingData, shared: boolean): Prepared {
    checkTrainingData(data);
    const { X, rows, features, classes } = data;
    const p = this.params;
    const bins = BinMapper.fit(X, rows, features, p.max_bin);
    const binned = bins.transform(X, rows);
    const outputs = classes === 2 ? 1 : classes;
    const monotone = monotoneByFeature(p.monotone_constraints, features);
    const workspace = createWorkspace(
      binned,
      data.y,
      outputs,
      p.max_depth,
      shared,
      p.class_weight === 'balanced' ? balancedClassWeights(data.y, classes) : null,
      p.quantised_gradients && monotone === null && canQuantise(rows),
    );
    const treeParams: GradientTreeParams = {
      maxDepth: p.max_depth,
      minChildWeight: p.min_child_weight,
      regLambda: p.reg_lambda,
      gamma: p.gamma,
      learningRate: p.learning_rate,
      monotone,
    };
    const plan = RoundPlan.create(rows, features, outputs, shared);
    return {
      data,
      bins,
      binned: { ...binned, rowMajor: workspace.rowMajor, columnMajor: workspace.columnMajor },
      workspace,
      outputs,
      treeParams,
      plan,
    };
  }

  private boost(
    { data, bins, binned, workspace, outputs, treeParams, plan }: Prepared,
    team: BoostingTeam | null,
    onProgress: FitProgress | undefined,
    held: TrainingData | null,
  ): CompiledEnsemble {
    const { rows, features, y, classes } = data;
    const p = this.params;
    const builder = new GradientTreeBuilder(binned, bins, treeParams, workspace, team);
    const binary = classes === 2;
    // XGBoost 1.7 adds base_score to multi-class margins as is, and as a logit for binary.
    const baseMargin = binary ? Math.log(p.base_score / (1 - p.base_score)) : p.base_score;
    const margins = workspace.margins.fill(baseMargin);
    const watch = held
      ? new EarlyStopping(bins.transform(held.X, held.rows), held.y, outputs, baseMargin, p.early_stopping_rounds)
      : null;
    const rng = new Random(p.random_state);
    const rounding = roundingStream(p.random_state ^ QUANTISE_SALT);
    const trees: Tree[] = [];
    const groups: number[] = [];
    const allFeatures = Int32Array.from({ length: features }, (_, f) => f);
    for (let round = 0; round < p.n_estimators; round++) {
      if (!team?.gradients())
        computeGradients(margins, y, outputs, workspace.gradHess, 0, rows, workspace.classWeights);
      if (workspace.packed) {
        for (let k = 0; k < outputs; k++)
          quantiseGradients(workspace.gradHess[k], workspace.packed[k], rows, workspace.quantSteps, k, rounding);
      }
      for (let k = 0; k < outputs; k++) {
        plan.set(
          k,
          p.subsample < 1 ? sampleRows(rows, p.subsample, rng) : null,
          p.colsample_bytree < 1 ? sampleFeatures(features, p.colsample_bytree, rng) : allFeatures,
        );
      }
      for (let k = 0; k < outputs;) {
        for (const tree of this.growWave(k, outputs, team, builder, plan, binned, margins)) {
          trees.push(tree);
          groups.push(k);
          watch?.addTree(tree, k);
          k++;
        }
      }
      onProgress?.(round + 1, p.n_estimators);
      if (watch?.endRound(round)) break;
    }
    if (watch) {
      trees.length = watch.bestRounds * outputs;
      groups.length = trees.length;
    }
    return CompiledEnsemble.fromTrees(trees, groups, {
      aggregation: binary ? 'logistic' : 'softmax',
      classes,
      features,
      baseMargin: new Array<number>(outputs).fill(baseMargin),
    });
  }

  /**
   * The trees of a round from output k on, in output order (at least one). Alone: this thread
   * grows output k's tree. With a team: every thread takes whole trees until none is left; when
   * the trees do not share out evenly (three on two threads, a binary fit's one), the last one's
   * top levels are grown here (their large steps shared) and the subtrees below them are taken
   * like trees, largest first, so that no thread waits a whole tree for another. With gamma the
   * last tree is grown whole (pruning needs the whole tree before any leaf is set).
   */
  private growWave(
    k: number,
    outputs: number,
    team: BoostingTeam | null,
    builder: GradientTreeBuilder,
    plan: RoundPlan,
    binned: BinnedMatrix,
    margins: Float64Array,
  ): Tree[] {
    const threads = team?.threads ?? 1;
    const left = outputs - k;
    if (!team || threads < 2) return [plan.grow(builder, k, binned, margins)];
    const splitLast = left % threads !== 0 && this.params.gamma === 0 && left - 1 <= MAX_TREES_BESIDE_SPLIT;
    if (!splitLast) return team.growTrees(k, left) ?? [plan.grow(builder, k, binned, margins)];
    const last = k + left - 1;
    const root = plan.splitRoot(builder, last, SPLIT_DEPTH);
    const grown = team.growRound(k, left - 1, { output: last, root });
    if (grown) return grown.trees.concat(plan.finishSplit(builder, root, grown.subtrees, last, binned, margins));
    // No helper left (or a histogram outside the shared arena): this thread does it all, the
    // split tree first, from a copy of its rows (growing a subtree reuses the array they sit in).
    const alone = { ...root, rows: root.rows.slice() };
    const subtrees = alone.children.map((child) =>
      plan.growSubtree(
        builder,
        last,
        alone.rows.subarray(child.start, child.end),
        {
          depth: alone.depth,
          sumGrad: child.sumGrad,
          sumHess: child.sumHess,
          bounds: child.bounds,
          hist: child.hist && child.hist.values,
        },
        margins,
      ),
    );
    const splitTree = plan.finishSplit(builder, alone, subtrees, last, binned, margins);
    return Array.from({ length: left - 1 }, (_, j) => plan.grow(builder, k + j, binned, margins)).concat(splitTree);
  }
}

/** The rounds an ensemble fitted here holds (fewer than n_estimators when early stopping trimmed it). */
export function boostingRounds(ensemble: CompiledEnsemble): number {
  return ensemble.treeCount / ensemble.outputs;
}

/** The constraint of every feature, or null when none is constrained (the unconstrained split search runs). */
function monotoneByFeature(constraints: number[], features: number): Int8Array | null {
  if (constraints.length > features)
    throw new RangeError(`monotone_constraints has ${constraints.length} values for ${features} features`);
  if (!constraints.some((c) => c !== 0)) return null;
  const out = new Int8Array(features);
  for (let f = 0; f < Math.min(features, constraints.length); f++) out[f] = constraints[f];
  return out;
}

export interface ParallelFitOptions {
  /** Rows early stopping watches (see fit). */
  validation?: TrainingData;
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
  treeParams: GradientTreeParams;
  /** Each round's rows and features per output, shared with the helpers of a parallel fit. */
  plan: RoundPlan;
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
