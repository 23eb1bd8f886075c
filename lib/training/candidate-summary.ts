/**
 * A candidate's scores over the folds, whatever order they were computed in: means over folds
 * (scikit-learn's cross_validate convention), the confusion matrix and calibration pooled over
 * every test row. Shared by plain cross-validation and nested tuning.
 */
import {
  addTallies,
  calibrationMetrics,
  emptyTally,
  reliabilityTable,
  type CalibrationMetrics,
  type CalibrationTally,
  type ReliabilityRow,
} from '../evaluation/calibration-metrics.ts';
import { meanAndStd, type ClassificationMetrics } from '../evaluation/metrics.ts';
import type { RankingMetrics, RankingSummary } from '../evaluation/ranking-metrics.ts';
import type { z } from 'zod';
import type { cvScoresSchema } from '../artifact/stored-metrics.ts';
import type { SamplerName } from '../sampling/sampler-names.ts';
import type { ClassifierName } from './classifier-names.ts';
import type { FitScore } from './fold-fit.ts';

/** The cross-validated scores, as metrics.json stores them (one schema: lib/artifact/stored-metrics.ts). */
export type CvScores = z.output<typeof cvScoresSchema>;

export interface CandidateResult {
  classifier: ClassifierName;
  sampler: SamplerName;
  cv: CvScores;
  /** Summed over the test folds: every row predicted once. */
  confusion_matrix: number[][];
  fold_f1_macro: number[];
  /** Of the out-of-fold probabilities, every row once (lib/evaluation/calibration-metrics.ts). */
  calibration: CalibrationMetrics;
  /** How the out-of-fold probabilities rank the rows: AUC, Gini, KS, average precision over the folds. */
  ranking: RankingSummary;
  /** Per confidence bin of the out-of-fold predictions: mean confidence, accuracy, rows. */
  reliability: ReliabilityRow[];
  /** Boosting rounds kept by early stopping, per fold (only with early stopping). */
  fold_rounds?: number[];
  /** Mean seconds per fold spent resampling and fitting. */
  fit_seconds: number;
  /** Set when the candidate could not be trained (e.g. a sampler that cannot apply). */
  error?: string;
}

export interface Accumulated {
  /** Per fold index (any completion order gives the same result). */
  folds: (ClassificationMetrics | undefined)[];
  tallies: (CalibrationTally | undefined)[];
  rankings: (RankingMetrics | undefined)[];
  rounds: (number | undefined)[];
  seconds: number[];
  errors: (string | undefined)[];
}

export function emptyAccumulated(): Accumulated {
  return { folds: [], tallies: [], rankings: [], rounds: [], seconds: [], errors: [] };
}

export function recordScore(result: Accumulated, f: number, score: FitScore): void {
  if (score.metrics) {
    result.folds[f] = score.metrics;
    result.tallies[f] = score.calibration;
    result.rankings[f] = score.ranking;
    result.rounds[f] = score.rounds;
  } else result.errors[f] = score.error;
  result.seconds.push(score.seconds);
}

export function summarizeCandidate(
  classifier: ClassifierName,
  sampler: SamplerName,
  r: Accumulated,
  K: number,
): CandidateResult {
  const error = r.errors.find((e) => e !== undefined);
  if (error !== undefined) {
    const confusion = zeros(K);
    for (const m of r.folds) if (m) addInto(confusion, m.confusion_matrix);
    return {
      classifier,
      sampler,
      cv: { f1_macro: NaN, f1_macro_std: NaN, accuracy: NaN, precision_macro: NaN, recall_macro: NaN },
      confusion_matrix: confusion,
      fold_f1_macro: [],
      calibration: { brier: NaN, log_loss: NaN, ece: NaN },
      ranking: rankingSummary([]),
      reliability: [],
      fit_seconds: NaN,
      error,
    };
  }
  const scored = r.folds as ClassificationMetrics[];
  const confusion = zeros(K);
  for (const m of scored) addInto(confusion, m.confusion_matrix);
  // Every score is the mean over folds (scikit-learn's cross_validate convention).
  const pooled = (r.tallies as CalibrationTally[]).reduce(addTallies, emptyTally());
  const mean = (key: 'f1_macro' | 'accuracy' | 'precision_macro' | 'recall_macro'): number =>
    meanAndStd(scored.map((m) => m[key])).mean;
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
    calibration: calibrationMetrics(pooled),
    ranking: rankingSummary(r.rankings as RankingMetrics[]),
    reliability: reliabilityTable(pooled),
    ...(r.rounds.some((n) => n !== undefined) ? { fold_rounds: r.rounds as number[] } : {}),
    fit_seconds: meanAndStd(r.seconds).mean,
  };
}

/**
 * The ranking metrics over the folds, as scikit-learn's cross_validate scores them: each fold's
 * AUC (one-vs-rest macro for several classes), KS and average precision, their means and the
 * AUC's and KS's spread. A fold where a number is undefined (a class missing from its test rows)
 * is left out of that number's mean; null when no fold has it.
 */
export function rankingSummary(folds: RankingMetrics[]): RankingSummary {
  const over = (
    pick: (m: RankingMetrics) => number | null,
  ): { mean: number | null; std: number | null; folds: (number | null)[] } => {
    const values = folds.map(pick);
    const known = values.filter((v): v is number => v !== null);
    if (!known.length) return { mean: null, std: null, folds: values };
    const { mean, std } = meanAndStd(known);
    return { mean, std, folds: values };
  };
  const auc = over((m) => m.auc);
  const ks = over((m) => m.ks);
  const classes = folds[0]?.perClass.length ?? 0;
  return {
    roc_auc: auc.mean,
    roc_auc_std: auc.std,
    gini: auc.mean === null ? null : 2 * auc.mean - 1,
    ks: ks.mean,
    ks_std: ks.std,
    average_precision: over((m) => m.averagePrecision).mean,
    fold_roc_auc: auc.folds,
    per_class: Array.from({ length: classes }, (_, k) => ({
      roc_auc: over((m) => m.perClass[k].auc).mean,
      ks: over((m) => m.perClass[k].ks).mean,
      average_precision: over((m) => m.perClass[k].averagePrecision).mean,
    })),
  };
}

function zeros(K: number): number[][] {
  return Array.from({ length: K }, () => new Array<number>(K).fill(0));
}

function addInto(target: number[][], m: number[][]): void {
  for (let i = 0; i < m.length; i++) for (let j = 0; j < m.length; j++) target[i][j] += m[i][j];
}
