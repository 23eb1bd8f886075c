/**
 * The decision rule for macro F1 (lib/evaluation/decision-weights.ts), learned honestly.
 *
 * The estimate is nested: for each outer fold of the cross-validation, the weights are learned
 * inside its training rows only, then applied to the outer test fold's probabilities (those of
 * the model the CV fitted on the whole training fold), and scored there against the plain
 * argmax on the same rows. Inside a training fold the weights need held-out probabilities, so
 * the candidate is fitted once more per outer fold, on an inner stratified split: the inner
 * training part (the preprocessor and the sampler fitted on it alone) predicts the held-out
 * part, 1/folds of the training fold, the same proportion the outer CV holds out. One inner fit
 * per outer fold, not an inner k-fold: each fit costs seconds, and the held-out part is large
 * (thousands of rows) for weights that are a handful of numbers. It learns from fewer rows than
 * the final weights do, so the estimate errs on the cautious side.
 *
 * Only the best candidate (chosen by argmax macro F1, as before) gets this estimate: the choice
 * of candidate does not depend on the rule, and one candidate's inner fits are what it costs.
 *
 * The final weights, for the model refit on all rows, are learned from the chosen candidate's
 * out-of-fold probabilities of the CV: every row predicted by a model that never saw it.
 */
import type { DecisionRule } from '../artifact/model-bundle.ts';
import type { Dataset } from '../data/dataset.ts';
import { applyDecisionWeights, learnDecisionWeights, macroF1Of } from '../evaluation/decision-weights.ts';
import { meanAndStd } from '../evaluation/metrics.ts';
import { stratifiedKFold, type Fold } from '../evaluation/stratified-k-fold.ts';
import type { TrainingPool } from '../parallel/training-pool.ts';
import type { SamplerName } from '../sampling/sampler-names.ts';
import type { ClassifierName } from './classifier-names.ts';
import { pick, prepareFold } from './cross-validate.ts';
import { scoreConfig } from './fold-fit.ts';
import { DEFAULT_CONFIG, type TunedParams } from '../tuning/search-space.ts';
import type { ProgressReporter } from './progress.ts';

export const DECISION_RULE_MODES = ['off', 'auto', 'on'] as const;
/** off: plain argmax; on: always the learned weights; auto: the weights only if they win the nested estimate. */
export type DecisionRuleMode = (typeof DECISION_RULE_MODES)[number];
/** The mode when none is asked for: the weights only where they win. */
export const DEFAULT_DECISION_RULE: DecisionRuleMode = 'auto';

export interface Candidate {
  classifier: ClassifierName;
  sampler: SamplerName;
  /** A tuned candidate's configuration in each outer fold (absent: the defaults everywhere). */
  foldConfigs?: TunedParams[];
}

/** Macro F1 of the best candidate on the CV's outer test folds, with the argmax and with weights learned inside each training fold. */
export interface NestedDecisionEstimate {
  f1_macro_argmax: number;
  f1_macro_weighted: number;
  fold_f1_macro_argmax: number[];
  fold_f1_macro_weighted: number[];
  /** The weights each outer fold learned (inside its training rows). */
  fold_weights: number[][];
  /** Seconds of the inner fits, summed over the outer folds. */
  inner_fit_seconds: number;
}

/** What the training report says of the rule. */
export interface DecisionRuleReport {
  mode: DecisionRuleMode;
  applied: boolean;
  reason: string;
  /** Absent with mode off (no inner fits are made). */
  nested?: NestedDecisionEstimate;
  /** Why the nested estimate could not be made (e.g. a class too small for the inner split). */
  error?: string;
  /** The weights stored in the artifact (learned from the out-of-fold probabilities of all rows), when applied. */
  weights?: number[];
}

/** Collects every candidate's CV test-fold probabilities into one out-of-fold matrix each (rows x classes). */
export class OutOfFoldProbabilities {
  private readonly byCandidate = new Map<string, Float64Array>();

  constructor(
    private readonly rows: number,
    private readonly classes: number,
  ) {}

  /** crossValidate's onTestProbabilities. */
  readonly keep = (classifier: ClassifierName, sampler: SamplerName, testRows: Int32Array, proba: Float64Array): void => {
    const key = `${classifier}+${sampler}`;
    let all = this.byCandidate.get(key);
    if (!all) this.byCandidate.set(key, (all = new Float64Array(this.rows * this.classes)));
    const K = this.classes;
    for (let j = 0; j < testRows.length; j++) all.set(proba.subarray(j * K, (j + 1) * K), testRows[j] * K);
  };

  of(candidate: Candidate): Float64Array {
    const all = this.byCandidate.get(`${candidate.classifier}+${candidate.sampler}`);
    if (!all) throw new Error(`no out-of-fold probabilities of ${candidate.classifier}+${candidate.sampler}`);
    return all;
  }
}

export interface NestedOptions {
  seed: number;
  earlyStoppingRounds: number;
  pool?: TrainingPool;
  progress?: ProgressReporter;
  /** Told, per outer fold, every row index the rule learns from there (inner training rows, then the held-out rows the weights come from). */
  onLearnRows?: (outerFold: number, rows: Int32Array) => void;
}

/**
 * The nested estimate for `candidate`: `folds` are the CV's outer folds, `outOfFold` its test-fold
 * probabilities (each row from the model fitted on the training fold that left it out).
 */
export async function estimateDecisionRule(dataset: Dataset, candidate: Candidate, folds: Fold[], outOfFold: Float64Array, options: NestedOptions): Promise<NestedDecisionEstimate> {
  const { y, spec } = dataset;
  const K = spec.target.classes.length;
  options.progress?.start(folds.length, `decision rule: nested estimate for ${candidate.classifier}+${candidate.sampler} (one inner fit per fold)`);
  const perFold = await Promise.all(
    folds.map(async (outer, f) => {
      const inner = stratifiedKFold(pick(y, outer.train), K, folds.length, options.seed)[0];
      const innerFold = { train: pick(outer.train, inner.train), test: pick(outer.train, inner.test) };
      options.onLearnRows?.(f, Int32Array.from([...innerFold.train, ...innerFold.test]));
      const prepared = prepareFold(dataset, innerFold, K, options.pool !== undefined, options.earlyStoppingRounds);
      const config = candidate.foldConfigs?.[f] ?? DEFAULT_CONFIG;
      const score = options.pool
        ? await options.pool.scoreConfig(prepared, candidate.sampler, candidate.classifier, options.seed, config)
        : scoreConfig(prepared, candidate.sampler, candidate.classifier, options.seed, config);
      if (!score.proba) throw new Error(`the inner fit of outer fold ${f + 1} failed: ${score.error}`);
      const { weights } = learnDecisionWeights(score.proba, prepared.ytest, K);
      const testProba = new Float64Array(outer.test.length * K);
      for (let j = 0; j < outer.test.length; j++) testProba.set(outOfFold.subarray(outer.test[j] * K, (outer.test[j] + 1) * K), j * K);
      const yTest = pick(y, outer.test);
      const argmax = macroF1Of(yTest, applyDecisionWeights(testProba, outer.test.length, K), K);
      const weighted = macroF1Of(yTest, applyDecisionWeights(testProba, outer.test.length, K, weights), K);
      options.progress?.step(`fold ${f + 1}: macro F1 ${argmax.toFixed(4)} argmax, ${weighted.toFixed(4)} with weights`);
      return { argmax, weighted, weights, seconds: score.seconds };
    }),
  );
  options.progress?.stop();
  return {
    f1_macro_argmax: meanAndStd(perFold.map((r) => r.argmax)).mean,
    f1_macro_weighted: meanAndStd(perFold.map((r) => r.weighted)).mean,
    fold_f1_macro_argmax: perFold.map((r) => r.argmax),
    fold_f1_macro_weighted: perFold.map((r) => r.weighted),
    fold_weights: perFold.map((r) => r.weights),
    inner_fit_seconds: perFold.reduce((s, r) => s + r.seconds, 0),
  };
}

/**
 * The rule for the final model under `mode`: the nested estimate (unless off), the weights
 * learned from the out-of-fold probabilities of all rows, and whether the artifact carries them.
 */
export async function chooseDecisionRule(
  dataset: Dataset,
  candidate: Candidate,
  mode: DecisionRuleMode,
  /** The candidate's out-of-fold probabilities (null: the rule is off). */
  outOfFold: Float64Array | null,
  /** `finalOutOfFold`: the saved model's own out-of-fold probabilities, when its configuration differs from the per-fold ones (tuning). */
  options: NestedOptions & { folds: number; finalOutOfFold?: Float64Array },
): Promise<{ report: DecisionRuleReport; decision?: DecisionRule }> {
  if (mode === 'off' || !outOfFold) return { report: { mode: 'off', applied: false, reason: 'off: the predicted class is the most probable one' } };
  const K = dataset.spec.target.classes.length;
  const probabilities = outOfFold;
  // The CV's outer folds: the same function of the same labels, count and seed as crossValidate's.
  const folds = stratifiedKFold(dataset.y, K, options.folds, options.seed);
  let nested: NestedDecisionEstimate | undefined;
  let error: string | undefined;
  try {
    nested = await estimateDecisionRule(dataset, candidate, folds, probabilities, options);
  } catch (err) {
    error = (err as Error).message;
  }
  const wins = nested !== undefined && nested.f1_macro_weighted > nested.f1_macro_argmax;
  const applied = mode === 'on' || wins;
  const reason =
    mode === 'on'
      ? 'on: always applied'
      : nested === undefined
        ? `auto: not applied, the nested estimate failed (${error})`
        : `auto: ${wins ? 'applied' : 'not applied'}, nested macro F1 ${nested.f1_macro_weighted.toFixed(4)} with weights vs ${nested.f1_macro_argmax.toFixed(4)} argmax`;
  const report: DecisionRuleReport = { mode, applied, reason, ...(nested ? { nested } : {}), ...(error !== undefined ? { error } : {}) };
  if (!applied) return { report };
  const { weights } = learnDecisionWeights(options.finalOutOfFold ?? probabilities, dataset.y, K);
  const decision: DecisionRule = {
    weights,
    nestedF1Macro: nested ? { argmax: nested.f1_macro_argmax, weighted: nested.f1_macro_weighted } : null,
  };
  return { report: { ...report, weights }, decision };
}
