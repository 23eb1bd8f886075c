/**
 * Honest scoring of candidates: stratified k-fold where everything learned from data (the
 * preprocessor, the resampling, the classifier) sees the training folds only. Each fold is
 * preprocessed once and each sampler runs once per fold; every classifier reuses them.
 */
import type { Dataset } from '../data/dataset.ts';
import { Preprocessor } from '../data/preprocessor.ts';
import { argmaxRows, classificationMetrics, meanAndStd, type ClassificationMetrics } from '../evaluation/metrics.ts';
import { stratifiedKFold } from '../evaluation/stratified-k-fold.ts';
import { createSampler, type LabelledMatrix, type SamplerName } from '../sampling/index.ts';
import { createClassifier, type ClassifierName } from './candidates.ts';
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
}

export async function crossValidate(dataset: Dataset, options: CvOptions): Promise<CandidateResult[]> {
  const { spec, rows, y } = dataset;
  const K = spec.target.classes.length;
  const folds = stratifiedKFold(y, K, options.folds, options.seed);
  const results = new Map<string, { confusion: number[][]; folds: ClassificationMetrics[]; seconds: number[]; error?: string }>();
  const keyOf = (c: ClassifierName, s: SamplerName): string => `${c}+${s}`;
  for (const c of options.classifiers) {
    for (const s of options.samplers) results.set(keyOf(c, s), { confusion: zeros(K), folds: [], seconds: [] });
  }
  options.progress.start(folds.length * options.classifiers.length * options.samplers.length, `cross-validation (${options.folds} folds)`);
  for (const [f, fold] of folds.entries()) {
    const pre = Preprocessor.fit(spec, rows, fold.train);
    const p = pre.featureCount;
    const train: LabelledMatrix = { X: pre.transform(rows, fold.train), rows: fold.train.length, features: p, y: pick(y, fold.train), classes: K };
    const Xtest = pre.transform(rows, fold.test);
    const ytest = pick(y, fold.test);
    for (const samplerName of options.samplers) {
      const started = performance.now();
      let resampled: LabelledMatrix | null = null;
      let samplerError: string | undefined;
      try {
        resampled = createSampler(samplerName, options.seed).fitResample(train);
      } catch (err) {
        samplerError = (err as Error).message;
      }
      const sampleSeconds = (performance.now() - started) / 1000;
      for (const classifierName of options.classifiers) {
        const result = results.get(keyOf(classifierName, samplerName))!;
        if (!resampled || result.error) {
          result.error ??= samplerError;
          options.progress.step(`fold ${f + 1} ${classifierName}+${samplerName}: skipped (${result.error})`);
          continue;
        }
        const t0 = performance.now();
        const ensemble = createClassifier(classifierName, options.seed).fit(resampled);
        result.seconds.push(sampleSeconds + (performance.now() - t0) / 1000);
        const predicted = argmaxRows(ensemble.predictProbaBatch(Xtest, fold.test.length), K);
        const metrics = classificationMetrics(ytest, predicted, K);
        result.folds.push(metrics);
        addInto(result.confusion, metrics.confusion_matrix);
        options.progress.step(`fold ${f + 1} ${classifierName}+${samplerName}: macro F1 ${metrics.f1_macro.toFixed(4)}`);
        // Each fit is seconds of synchronous work: let timers and I/O (progress writes) run between fits.
        await yieldToEventLoop();
        await options.progress.settle?.();
      }
    }
  }
  options.progress.stop();
  return [...results].map(([key, r]) => {
    const [classifier, sampler] = key.split('+') as [ClassifierName, SamplerName];
    if (r.error) {
      return { classifier, sampler, cv: { f1_macro: NaN, f1_macro_std: NaN, accuracy: NaN, precision_macro: NaN, recall_macro: NaN }, confusion_matrix: r.confusion, fold_f1_macro: [], fit_seconds: NaN, error: r.error };
    }
    // Every score is the mean over folds (scikit-learn's cross_validate convention).
    const mean = (key: 'f1_macro' | 'accuracy' | 'precision_macro' | 'recall_macro'): number => meanAndStd(r.folds.map((m) => m[key])).mean;
    return {
      classifier,
      sampler,
      cv: {
        f1_macro: mean('f1_macro'),
        f1_macro_std: meanAndStd(r.folds.map((m) => m.f1_macro)).std,
        accuracy: mean('accuracy'),
        precision_macro: mean('precision_macro'),
        recall_macro: mean('recall_macro'),
      },
      confusion_matrix: r.confusion,
      fold_f1_macro: r.folds.map((m) => m.f1_macro),
      fit_seconds: meanAndStd(r.seconds).mean,
    };
  });
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
