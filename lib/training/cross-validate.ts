/**
 * Honest scoring of candidates: stratified k-fold where everything learned from data (the
 * preprocessor, the resampling, the classifier) sees the training folds only. Each fold is
 * preprocessed once and each sampler runs once per fold; every classifier reuses them. With a
 * pool, each (fold, sampler) is one task on a worker, the matrices in shared memory; the
 * results are the same, whatever the order the tasks finish in.
 */
import type { Dataset } from '../data/dataset.ts';
import { monotoneConstraints } from '../data/monotone.ts';
import { Preprocessor } from '../data/preprocessor.ts';
import { stratifiedKFold } from '../evaluation/stratified-k-fold.ts';
import { toShared } from '../parallel/shared-arrays.ts';
import type { SamplerName } from '../sampling/sampler-names.ts';
import {
  emptyAccumulated,
  recordScore,
  summarizeCandidate,
  type Accumulated,
  type CandidateResult,
} from './candidate-summary.ts';
import { isCandidate, type ClassifierName } from './classifier-names.ts';
import { prepareScorecardFold } from './scorecard-candidate.ts';
import { fitAndScore, once, resampleFold, type FitScore, type PreparedFold } from './fold-fit.ts';
import type { ProgressReporter } from './progress.ts';
import type { TrainingPool } from './training-pool.ts';

// A candidate's result is summarized from its folds (candidate-summary.ts), which owns its shape.
export type { CandidateResult, CvScores } from './candidate-summary.ts';

export interface CvOptions {
  folds: number;
  seed: number;
  classifiers: ClassifierName[];
  samplers: SamplerName[];
  progress: ProgressReporter;
  /** Boosting's early stopping patience (0 or absent: off). */
  earlyStoppingRounds?: number;
  /** Runs the (fold, sampler) tasks on these workers; without it, on this thread one after another. */
  pool?: TrainingPool;
  /** Given each fitted candidate's test-fold probabilities (rows x classes, in `testRows` order): out-of-fold predictions for the decision rule. */
  onTestProbabilities?: (
    classifier: ClassifierName,
    sampler: SamplerName,
    testRows: Int32Array,
    proba: Float64Array,
  ) => void;
}

export async function crossValidate(dataset: Dataset, options: CvOptions): Promise<CandidateResult[]> {
  const { spec, y } = dataset;
  const K = spec.target.classes.length;
  const folds = stratifiedKFold(y, K, options.folds, options.seed);
  const results = new Map<string, Accumulated>();
  const keyOf = (c: ClassifierName, s: SamplerName): string => `${c}+${s}`;
  for (const c of options.classifiers) {
    for (const s of options.samplers) if (isCandidate(c, s)) results.set(keyOf(c, s), emptyAccumulated());
  }
  const record = (f: number, sampler: SamplerName, score: FitScore): void => {
    recordScore(results.get(keyOf(score.classifier, sampler))!, f, score);
    if (score.proba) options.onTestProbabilities?.(score.classifier, sampler, folds[f].test, score.proba);
    options.progress.step(
      `fold ${f + 1} ${score.classifier}+${sampler}: ${score.metrics ? `macro F1 ${score.metrics.f1_macro.toFixed(4)}` : `skipped (${score.error})`}`,
    );
  };
  options.progress.start(folds.length * results.size, `cross-validation (${options.folds} folds)`);
  const shared = options.pool !== undefined;
  const withScorecard = options.classifiers.includes('scorecard');
  // A fold's matrices are made when its fits start and let go when they end (200 bytes a row a
  // fold at 25 features: at 1M rows, 2 folds held at once were 400 MB; bench/RESULTS.md).
  const prepare = (f: number): PreparedFold =>
    prepareFold(dataset, folds[f], K, shared, options.earlyStoppingRounds ?? 0, withScorecard);
  // Each sampler's candidates (a scorecard pairs with no sampler but none); a sampler without any is not run.
  const samplers = options.samplers.filter((s) => options.classifiers.some((c) => isCandidate(c, s)));
  const classifiersOf = (s: SamplerName): ClassifierName[] => options.classifiers.filter((c) => isCandidate(c, s));
  if (options.pool) {
    const pool = options.pool;
    // Every task is queued at once, fold by fold; the pool runs the longest first (the heavy samplers), so the last to finish is a short one.
    await Promise.all(
      folds.map(async (_, f) => {
        const fold = prepare(f);
        await Promise.all(
          samplers.map(async (sampler) => {
            const scores = await pool.scoreFoldSampler(
              fold,
              sampler,
              classifiersOf(sampler),
              options.seed,
              SAMPLER_COST[sampler],
            );
            for (const score of scores) record(f, sampler, score);
            await options.progress.settle?.();
          }),
        );
      }),
    );
  } else {
    for (let f = 0; f < folds.length; f++) {
      const fold = prepare(f);
      for (const sampler of samplers) {
        const resampled = once(() => resampleFold(fold.train, sampler, options.seed));
        for (const classifier of classifiersOf(sampler)) {
          record(f, sampler, fitAndScore(fold, sampler, resampled, classifier, options.seed));
          // Each fit is seconds of synchronous work: let timers and I/O (progress writes) run between fits.
          await yieldToEventLoop();
          await options.progress.settle?.();
        }
      }
    }
  }
  options.progress.stop();
  return [...results].map(([key, r]) => {
    const [classifier, sampler] = key.split('+') as [ClassifierName, SamplerName];
    return summarizeCandidate(classifier, sampler, r, K);
  });
}

/** How long a sampler's task runs, roughly (neighbour searches dominate): the pool's priority. */
const SAMPLER_COST: Record<SamplerName, number> = { borderline: 5, adasyn: 4, smote: 3, ros: 2, none: 1 };

/**
 * The fold's preprocessor is fitted on its training rows only; with `shared`, the matrices live in shared memory for the workers.
 * `withScorecard`: the fold also carries its cleaned rows as the scorecard candidate reads them.
 */
export function prepareFold(
  dataset: Dataset,
  fold: { train: Int32Array; test: Int32Array },
  K: number,
  shared: boolean,
  earlyStoppingRounds: number,
  withScorecard = false,
): PreparedFold {
  const pre = Preprocessor.fit(dataset.spec, dataset.rows, fold.train);
  const boosting = { earlyStoppingRounds, monotone: monotoneConstraints(dataset.spec, pre.state) };
  const place = shared ? toShared : <T>(a: T): T => a;
  return {
    train: {
      X: matrixOf(pre, dataset.rows, fold.train, shared),
      rows: fold.train.length,
      features: pre.featureCount,
      y: place(pick(dataset.y, fold.train)),
      classes: K,
    },
    Xtest: matrixOf(pre, dataset.rows, fold.test, shared),
    ytest: place(pick(dataset.y, fold.test)),
    boosting,
    ...(withScorecard ? { scorecard: prepareScorecardFold(dataset.spec, dataset.rows, fold) } : {}),
  };
}

/**
 * The rows' feature matrix; with `shared`, written straight into shared memory for the workers
 * rather than built and then copied there (the copy was a second 200 bytes a row at its peak).
 */
function matrixOf(pre: Preprocessor, rows: Dataset['rows'], indices: Int32Array, shared: boolean): Float64Array {
  if (!shared) return pre.transform(rows, indices);
  const p = pre.featureCount;
  const X = new Float64Array(new SharedArrayBuffer(indices.length * p * Float64Array.BYTES_PER_ELEMENT));
  for (let i = 0; i < indices.length; i++) pre.transformRow(rows[indices[i]], X, i * p);
  return X;
}

export function pick(values: Int32Array, indices: Int32Array): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = values[indices[i]];
  return out;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
