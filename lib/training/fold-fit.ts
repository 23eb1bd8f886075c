/**
 * One cross-validation fold's work for one sampler: resample the training fold, then fit and
 * score each classifier on the test fold. Pure functions of their inputs (the seed included),
 * so a fold scores the same on the calling thread or on any worker, in any order.
 */
import { argmaxRows, classificationMetrics, type ClassificationMetrics } from '../evaluation/metrics.ts';
import { createSampler, type LabelledMatrix, type SamplerName } from '../sampling/index.ts';
import { createClassifier, type ClassifierName } from './candidates.ts';

/** A fold ready to fit on: the preprocessed training rows, and the test rows with their labels. */
export interface PreparedFold {
  train: LabelledMatrix;
  Xtest: Float64Array;
  ytest: Int32Array;
}

export type Resampled = { data: LabelledMatrix; seconds: number } | { error: string; seconds: number };

export interface FitScore {
  classifier: ClassifierName;
  /** Absent when the classifier could not be trained on this fold. */
  metrics?: ClassificationMetrics;
  error?: string;
  /** The test rows' probabilities (rows x classes): what the decision rule learns from. */
  proba?: Float64Array;
  /** Seconds of resampling and fitting. */
  seconds: number;
}

export function resampleFold(fold: PreparedFold, sampler: SamplerName, seed: number): Resampled {
  const started = performance.now();
  try {
    const data = createSampler(sampler, seed).fitResample(fold.train);
    return { data, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    return { error: (err as Error).message, seconds: (performance.now() - started) / 1000 };
  }
}

export function fitAndScore(fold: PreparedFold, resampled: Resampled, classifier: ClassifierName, seed: number): FitScore {
  if ('error' in resampled) return { classifier, error: resampled.error, seconds: resampled.seconds };
  const started = performance.now();
  const ensemble = createClassifier(classifier, seed).fit(resampled.data);
  const K = fold.train.classes;
  const proba = ensemble.predictProbaBatch(fold.Xtest, fold.ytest.length);
  const predicted = argmaxRows(proba, K);
  return { classifier, metrics: classificationMetrics(fold.ytest, predicted, K), proba, seconds: resampled.seconds + (performance.now() - started) / 1000 };
}

/** The whole (fold, sampler) task, as a worker runs it: the sampler once, every classifier after it. */
export function scoreFoldSampler(fold: PreparedFold, sampler: SamplerName, classifiers: ClassifierName[], seed: number): FitScore[] {
  const resampled = resampleFold(fold, sampler, seed);
  return classifiers.map((classifier) => fitAndScore(fold, resampled, classifier, seed));
}
