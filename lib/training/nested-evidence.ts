/**
 * What the choices made after the cross-validation (the decision rule, the calibration) learn
 * from and are judged on, kept apart so that no estimate sees the rows it is scored on.
 *
 * For each outer fold of the CV: the outer test rows' probabilities are the CV's own (the model
 * fitted on the whole training fold); what is learned is learned inside the training fold,
 * which needs held-out probabilities there, so the candidate is fitted once more per outer
 * fold, on an inner stratified split: the inner training part (the preprocessor and the sampler
 * fitted on it alone) predicts the held-out part, 1/folds of the training fold, the same
 * proportion the outer CV holds out. One inner fit per outer fold, not an inner k-fold: each
 * fit costs seconds, and the held-out part is large (thousands of rows) for what is learned
 * from it (a handful of weights, a calibration curve). It learns from fewer rows than the final
 * choice does, so the estimate errs on the cautious side.
 *
 * The final choice, for the model refit on all rows, learns from the chosen candidate's
 * out-of-fold probabilities of the CV: every row predicted by a model that never saw it.
 */
import type { Dataset } from '../data/dataset.ts';
import { stratifiedKFold, type Fold } from '../evaluation/stratified-k-fold.ts';
import type { SamplerName } from '../sampling/sampler-names.ts';
import type { ClassifierName } from './classifier-names.ts';
import { pick, prepareFold } from './cross-validate.ts';
import { scoreConfig } from './fold-fit.ts';
import type { ProgressReporter } from './progress.ts';
import type { TrainingPool } from './training-pool.ts';
import { DEFAULT_CONFIG, type TunedParams } from './tuned-params.ts';

export interface Candidate {
  classifier: ClassifierName;
  sampler: SamplerName;
  /** A tuned candidate's configuration in each outer fold (absent: the defaults everywhere). */
  foldConfigs?: TunedParams[];
}

/** Probabilities (rows x classes) and the labels of those rows. */
export interface Scored {
  proba: Float64Array;
  y: Int32Array;
}

export interface FoldEvidence {
  /** The inner held-out rows, predicted by the inner fit: what is learned from. */
  inner: Scored;
  /** The outer test rows, predicted by the CV's fit on the training fold: what it is judged on. */
  outer: Scored;
  /** Seconds of the inner fit. */
  seconds: number;
}

/** The evidence of every outer fold, or why it could not be gathered (e.g. a class too small for the inner split). */
export type NestedEvidence = { folds: FoldEvidence[] } | { error: string };

/** Collects every candidate's CV test-fold probabilities into one out-of-fold matrix each (rows x classes). */
export class OutOfFoldProbabilities {
  private readonly byCandidate = new Map<string, Float64Array>();

  constructor(
    private readonly rows: number,
    private readonly classes: number,
  ) {}

  /** crossValidate's onTestProbabilities. */
  readonly keep = (
    classifier: ClassifierName,
    sampler: SamplerName,
    testRows: Int32Array,
    proba: Float64Array,
  ): void => {
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
  /** The CV's outer fold count and seed: the outer folds are the same function of the same labels. */
  folds: number;
  seed: number;
  earlyStoppingRounds: number;
  pool?: TrainingPool;
  progress?: ProgressReporter;
  /** Told, per outer fold, every row index learned from there (inner training rows, then the held-out rows). */
  onLearnRows?: (outerFold: number, rows: Int32Array) => void;
}

/**
 * The evidence for `candidate`, whose CV test-fold probabilities are `outOfFold` (each row from
 * the model fitted on the training fold that left it out). Never throws: a failed inner fit is
 * the evidence's error.
 */
export async function gatherNestedEvidence(
  dataset: Dataset,
  candidate: Candidate,
  outOfFold: Float64Array,
  options: NestedOptions,
): Promise<NestedEvidence> {
  try {
    return {
      folds: await innerFits(
        dataset,
        candidate,
        stratifiedKFold(dataset.y, dataset.spec.target.classes.length, options.folds, options.seed),
        outOfFold,
        options,
      ),
    };
  } catch (err) {
    options.progress?.stop();
    return { error: (err as Error).message };
  }
}

async function innerFits(
  dataset: Dataset,
  candidate: Candidate,
  folds: Fold[],
  outOfFold: Float64Array,
  options: NestedOptions,
): Promise<FoldEvidence[]> {
  const { y, spec } = dataset;
  const K = spec.target.classes.length;
  options.progress?.start(
    folds.length,
    `nested estimate for ${candidate.classifier}+${candidate.sampler} (one inner fit per fold)`,
  );
  const evidence = await Promise.all(
    folds.map(async (outer, f) => {
      const inner = stratifiedKFold(pick(y, outer.train), K, folds.length, options.seed)[0];
      const innerFold = { train: pick(outer.train, inner.train), test: pick(outer.train, inner.test) };
      options.onLearnRows?.(f, Int32Array.from([...innerFold.train, ...innerFold.test]));
      const prepared = prepareFold(
        dataset,
        innerFold,
        K,
        options.pool !== undefined,
        options.earlyStoppingRounds,
        candidate.classifier === 'scorecard',
      );
      const config = candidate.foldConfigs?.[f] ?? DEFAULT_CONFIG;
      const score = options.pool
        ? await options.pool.scoreConfig(prepared, candidate.sampler, candidate.classifier, options.seed, config)
        : scoreConfig(prepared, candidate.sampler, candidate.classifier, options.seed, config);
      if (!score.proba) throw new Error(`the inner fit of outer fold ${f + 1} failed: ${score.error}`);
      const outerProba = new Float64Array(outer.test.length * K);
      for (let j = 0; j < outer.test.length; j++)
        outerProba.set(outOfFold.subarray(outer.test[j] * K, (outer.test[j] + 1) * K), j * K);
      options.progress?.step(`fold ${f + 1}: inner fit done`);
      return {
        inner: { proba: score.proba, y: prepared.ytest },
        outer: { proba: outerProba, y: pick(y, outer.test) },
        seconds: score.seconds,
      };
    }),
  );
  options.progress?.stop();
  return evidence;
}
