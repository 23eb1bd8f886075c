/**
 * Honest scoring of candidates: stratified k-fold where everything learned from data (the
 * preprocessor, the resampling, the classifier) sees the training folds only. Each fold is
 * preprocessed once and each sampler runs once per fold; every classifier reuses them. With a
 * pool, each (fold, sampler) is one task on a worker, the matrices in shared memory; the
 * results are the same, whatever the order the tasks finish in.
 */
import type { Dataset } from '../data/dataset.ts';
import { Preprocessor } from '../data/preprocessor.ts';
import { meanAndStd, type ClassificationMetrics } from '../evaluation/metrics.ts';
import { stratifiedKFold } from '../evaluation/stratified-k-fold.ts';
import type { TrainingPool } from '../parallel/training-pool.ts';
import { toShared } from '../parallel/shared-arrays.ts';
import type { SamplerName } from '../sampling/sampler-names.ts';
import type { ClassifierName } from './classifier-names.ts';
import { fitAndScore, resampleFold, type FitScore, type PreparedFold } from './fold-fit.ts';
import type { ProgressReporter } from './progress.ts';

export interface CvScores {
  f1_macro: number;
  f1_macro_std: number;
  accuracy: number;
  precision_macro: number;
  recall_macro: number;
}

export interface CandidateResult {
  classifier: ClassifierName;
  sampler: SamplerName;
  cv: CvScores;
  /** Summed over the test folds: every row predicted once. */
  confusion_matrix: number[][];
  fold_f1_macro: number[];
  /** Mean seconds per fold spent resampling and fitting. */
  fit_seconds: number;
  /** Set when the candidate could not be trained (e.g. a sampler that cannot apply). */
  error?: string;
}

export interface CvOptions {
  folds: number;
  seed: number;
  classifiers: ClassifierName[];
  samplers: SamplerName[];
  progress: ProgressReporter;
  /** Runs the (fold, sampler) tasks on these workers; without it, on this thread one after another. */
  pool?: TrainingPool;
  /** Given each fitted candidate's test-fold probabilities (rows x classes, in `testRows` order): out-of-fold predictions for the decision rule. */
  onTestProbabilities?: (classifier: ClassifierName, sampler: SamplerName, testRows: Int32Array, proba: Float64Array) => void;
}

interface Accumulated {
  /** Per fold index (any completion order gives the same result). */
  folds: (ClassificationMetrics | undefined)[];
  seconds: number[];
  errors: (string | undefined)[];
}

export async function crossValidate(dataset: Dataset, options: CvOptions): Promise<CandidateResult[]> {
  const { spec, y } = dataset;
  const K = spec.target.classes.length;
  const folds = stratifiedKFold(y, K, options.folds, options.seed);
  const results = new Map<string, Accumulated>();
  const keyOf = (c: ClassifierName, s: SamplerName): string => `${c}+${s}`;
  for (const c of options.classifiers) {
    for (const s of options.samplers) results.set(keyOf(c, s), { folds: [], seconds: [], errors: [] });
  }
  const record = (f: number, sampler: SamplerName, score: FitScore): void => {
    const result = results.get(keyOf(score.classifier, sampler))!;
    if (score.metrics) result.folds[f] = score.metrics;
    else result.errors[f] = score.error;
    if (score.proba) options.onTestProbabilities?.(score.classifier, sampler, folds[f].test, score.proba);
    result.seconds.push(score.seconds);
    options.progress.step(`fold ${f + 1} ${score.classifier}+${sampler}: ${score.metrics ? `macro F1 ${score.metrics.f1_macro.toFixed(4)}` : `skipped (${score.error})`}`);
  };
  options.progress.start(folds.length * options.classifiers.length * options.samplers.length, `cross-validation (${options.folds} folds)`);
  const shared = options.pool !== undefined;
  const prepared = folds.map((fold) => prepareFold(dataset, fold, K, shared));
  if (options.pool) {
    const pool = options.pool;
    // Longest first, so the last task to finish is a short one: the heavy samplers, then the rest.
    const tasks = prepared.flatMap((fold, f) => options.samplers.map((sampler) => ({ fold, f, sampler })));
    await Promise.all(
      tasks.map(async ({ fold, f, sampler }) => {
        const scores = await pool.scoreFoldSampler(fold, sampler, options.classifiers, options.seed, SAMPLER_COST[sampler]);
        for (const score of scores) record(f, sampler, score);
        await options.progress.settle?.();
      }),
    );
  } else {
    for (const [f, fold] of prepared.entries()) {
      for (const sampler of options.samplers) {
        const resampled = resampleFold(fold, sampler, options.seed);
        for (const classifier of options.classifiers) {
          record(f, sampler, fitAndScore(fold, resampled, classifier, options.seed));
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
    const error = r.errors.find((e) => e !== undefined);
    if (error !== undefined) {
      const confusion = zeros(K);
      for (const m of r.folds) if (m) addInto(confusion, m.confusion_matrix);
      return { classifier, sampler, cv: { f1_macro: NaN, f1_macro_std: NaN, accuracy: NaN, precision_macro: NaN, recall_macro: NaN }, confusion_matrix: confusion, fold_f1_macro: [], fit_seconds: NaN, error };
    }
    const scored = r.folds as ClassificationMetrics[];
    const confusion = zeros(K);
    for (const m of scored) addInto(confusion, m.confusion_matrix);
    // Every score is the mean over folds (scikit-learn's cross_validate convention).
    const mean = (key: 'f1_macro' | 'accuracy' | 'precision_macro' | 'recall_macro'): number => meanAndStd(scored.map((m) => m[key])).mean;
    return {
      classifier,
      sampler,
      cv: {
        f1_macro: mean('f1_macro'),
        f1_macro_std: meanAndStd(scored.map((m) => m.f1_macro)).std,
        accuracy: mean('accuracy'),
        precision_macro: mean('precision_macro'),
        recall_macro: mean('recall_macro'),
      },
      confusion_matrix: confusion,
      fold_f1_macro: scored.map((m) => m.f1_macro),
      fit_seconds: meanAndStd(r.seconds).mean,
    };
  });
}

/** How long a sampler's task runs, roughly (neighbour searches dominate): the pool's priority. */
const SAMPLER_COST: Record<SamplerName, number> = { borderline: 5, adasyn: 4, smote: 3, ros: 2, none: 1 };

/** The fold's preprocessor is fitted on its training rows only; with `shared`, the matrices live in shared memory for the workers. */
export function prepareFold(dataset: Dataset, fold: { train: Int32Array; test: Int32Array }, K: number, shared: boolean): PreparedFold {
  const pre = Preprocessor.fit(dataset.spec, dataset.rows, fold.train);
  const place = shared ? toShared : <T,>(a: T): T => a;
  return {
    train: { X: place(pre.transform(dataset.rows, fold.train)), rows: fold.train.length, features: pre.featureCount, y: place(pick(dataset.y, fold.train)), classes: K },
    Xtest: place(pre.transform(dataset.rows, fold.test)),
    ytest: place(pick(dataset.y, fold.test)),
  };
}

export function pick(values: Int32Array, indices: Int32Array): Int32Array {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = values[indices[i]];
  return out;
}

function zeros(K: number): number[][] {
  return Array.from({ length: K }, () => new Array<number>(K).fill(0));
}

function addInto(target: number[][], m: number[][]): void {
  for (let i = 0; i < m.length; i++) for (let j = 0; j < m.length; j++) target[i][j] += m[i][j];
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
