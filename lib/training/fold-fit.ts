/**
 * One cross-validation fold's work for one sampler: resample the training fold, then fit and
 * score each classifier on the test fold. Pure functions of their inputs (the seed included),
 * so a fold scores the same on the calling thread or on any worker, in any order.
 */
import { calibrationTally, type CalibrationTally } from '../evaluation/calibration-metrics.ts';
import { rankingMetrics, type RankingMetrics } from '../evaluation/ranking-metrics.ts';
import { argmaxRows, classificationMetrics, type ClassificationMetrics } from '../evaluation/metrics.ts';
import { createSampler, type LabelledMatrix, type SamplerName } from '../sampling/index.ts';
import { boostingRounds } from '../trees/gradient-boosting.ts';
import { createClassifier, holdsOutRows, type BoostingSettings, type ClassifierName } from './candidates.ts';
import { isCandidate, SCORECARD_SAMPLER_RULE } from './classifier-names.ts';
import { fitStoredScorecard, scorecardProbabilities, withTuning, type ScorecardFold } from './scorecard-candidate.ts';
import { DEFAULT_CONFIG, type TunedParams } from './tuned-params.ts';

/** A fold ready to fit on: the preprocessed training rows, and the test rows with their labels. */
export interface PreparedFold {
  train: LabelledMatrix;
  Xtest: Float64Array;
  ytest: Int32Array;
  /** Boosting's settings for this fold, its monotone constraints mapped through the fold's preprocessor. */
  boosting: BoostingSettings;
  /** The fold's cleaned rows as the scorecard candidate reads them (present when one is fitted). */
  scorecard?: ScorecardFold;
}

export type Resampled = { data: LabelledMatrix; seconds: number } | { error: string; seconds: number };

export interface FitScore {
  classifier: ClassifierName;
  /** Absent when the classifier could not be trained on this fold. */
  metrics?: ClassificationMetrics;
  /** The test fold's probabilities against its labels (absent with metrics). */
  calibration?: CalibrationTally;
  /** How the test fold's probabilities rank its rows (AUC, KS, ...; absent with metrics). */
  ranking?: RankingMetrics;
  /** Boosting rounds kept after early stopping (absent without it). */
  rounds?: number;
  error?: string;
  /** The test rows' probabilities (rows x classes): what the decision rule learns from. */
  proba?: Float64Array;
  /** Seconds of resampling and fitting. */
  seconds: number;
}

export function resampleFold(
  train: LabelledMatrix,
  sampler: SamplerName,
  seed: number,
  samplerParams: TunedParams['sampler'] = {},
): Resampled {
  const started = performance.now();
  try {
    const data = createSampler(sampler, seed, samplerParams).fitResample(train);
    return { data, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    return { error: (err as Error).message, seconds: (performance.now() - started) / 1000 };
  }
}

/**
 * Fits `classifier` and scores it on the test fold. `resampled` gives the whole training fold
 * resampled (computed once, shared by the classifiers that use it); a boosting candidate with
 * early stopping instead holds out real rows first and resamples the rest itself.
 */
export function fitAndScore(
  fold: PreparedFold,
  sampler: SamplerName,
  resampled: () => Resampled,
  classifier: ClassifierName,
  seed: number,
  config: TunedParams = DEFAULT_CONFIG,
): FitScore {
  if (classifier === 'scorecard') return fitAndScoreScorecard(fold, sampler, config);
  const model = createClassifier(classifier, seed, fold.boosting, config.classifier);
  const held = holdsOutRows(model) ? model.holdOut(fold.train) : null;
  const ready = held ? resampleFold(held.fit, sampler, seed, config.sampler) : resampled();
  if ('error' in ready) return { classifier, error: ready.error, seconds: ready.seconds };
  const started = performance.now();
  const ensemble = model.fit(ready.data, undefined, held?.held);
  const K = fold.train.classes;
  const probabilities = ensemble.predictProbaBatch(fold.Xtest, fold.ytest.length);
  return {
    ...scoreProbabilities(
      classifier,
      fold.ytest,
      probabilities,
      K,
      ready.seconds + (performance.now() - started) / 1000,
    ),
    ...(held ? { rounds: boostingRounds(ensemble) } : {}),
  };
}

/** The scores of a fold's test probabilities (rows x K), the same for every kind of candidate. */
export function scoreProbabilities(
  classifier: ClassifierName,
  ytest: Int32Array,
  probabilities: Float64Array,
  K: number,
  seconds: number,
): FitScore {
  return {
    classifier,
    metrics: classificationMetrics(ytest, argmaxRows(probabilities, K), K),
    calibration: calibrationTally(ytest, probabilities, K),
    ranking: rankingMetrics(ytest, probabilities, K),
    proba: probabilities,
    seconds,
  };
}

/** The scorecard fitted on the fold's cleaned training rows (no sampler: see SCORECARD_SAMPLER_RULE) and scored on its test rows. */
function fitAndScoreScorecard(fold: PreparedFold, sampler: SamplerName, config: TunedParams): FitScore {
  if (!isCandidate('scorecard', sampler)) return { classifier: 'scorecard', error: SCORECARD_SAMPLER_RULE, seconds: 0 };
  if (!fold.scorecard)
    return { classifier: 'scorecard', error: "the fold was prepared without the scorecard's columns", seconds: 0 };
  const started = performance.now();
  try {
    const stored = fitStoredScorecard(
      fold.scorecard.plan,
      fold.scorecard.train,
      fold.train.y,
      fold.train.classes,
      withTuning(fold.scorecard.params, config),
    );
    const probabilities = scorecardProbabilities(stored, fold.scorecard.test);
    return scoreProbabilities(
      'scorecard',
      fold.ytest,
      probabilities,
      fold.train.classes,
      (performance.now() - started) / 1000,
    );
  } catch (err) {
    return { classifier: 'scorecard', error: (err as Error).message, seconds: (performance.now() - started) / 1000 };
  }
}

/** One configuration fitted on a fold and scored on its test rows, as a tuning task runs it. */
export function scoreConfig(
  fold: PreparedFold,
  sampler: SamplerName,
  classifier: ClassifierName,
  seed: number,
  config: TunedParams,
): FitScore {
  return fitAndScore(
    fold,
    sampler,
    () => resampleFold(fold.train, sampler, seed, config.sampler),
    classifier,
    seed,
    config,
  );
}

/** The whole (fold, sampler) task, as a worker runs it: the sampler once, every classifier after it. */
export function scoreFoldSampler(
  fold: PreparedFold,
  sampler: SamplerName,
  classifiers: ClassifierName[],
  seed: number,
): FitScore[] {
  const resampled = once(() => resampleFold(fold.train, sampler, seed));
  return classifiers
    .filter((classifier) => isCandidate(classifier, sampler))
    .map((classifier) => fitAndScore(fold, sampler, resampled, classifier, seed));
}

/** `compute`, run on the first call only. */
export function once<T>(compute: () => T): () => T {
  let value: { v: T } | null = null;
  return () => (value ??= { v: compute() }).v;
}
