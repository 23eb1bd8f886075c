/**
 * The number that picks the model: macro F1 by default (every class counts the same, what the
 * three-class credit score needs), or a ranking metric (AUC, KS, average precision: what a
 * binary good/bad scorecard is judged on) or accuracy. The candidate search, the tuning's inner
 * searches and its tuned-or-default choice all follow it. A metric that no fold defines (AUC of
 * a fold without one of the classes) ranks last, never first.
 */
import type { CandidateResult } from './cross-validate.ts';
import type { FitScore } from './fold-fit.ts';

export const SELECTION_METRICS = ['f1_macro', 'roc_auc', 'ks', 'average_precision', 'accuracy'] as const;
export type SelectionMetric = (typeof SELECTION_METRICS)[number];
export const DEFAULT_SELECTION_METRIC: SelectionMetric = 'f1_macro';

/** Words for messages: "macro F1", "ROC AUC"... */
export const METRIC_TITLES: Record<SelectionMetric, string> = {
  f1_macro: 'macro F1',
  roc_auc: 'ROC AUC',
  ks: 'KS',
  average_precision: 'average precision',
  accuracy: 'accuracy',
};

const known = (v: number | null | undefined): number =>
  v === null || v === undefined || Number.isNaN(v) ? -Infinity : v;

/** A candidate's cross-validated score: the mean over its folds. */
export function candidateScore(candidate: Pick<CandidateResult, 'cv' | 'ranking'>, metric: SelectionMetric): number {
  switch (metric) {
    case 'f1_macro':
    case 'accuracy':
      return known(candidate.cv[metric]);
    case 'roc_auc':
    case 'ks':
    case 'average_precision':
      return known(candidate.ranking[metric]);
  }
}

/** One fit's score on its test rows (a tuning search's rung). */
export function fitScore(score: FitScore, metric: SelectionMetric): number {
  switch (metric) {
    case 'f1_macro':
    case 'accuracy':
      return known(score.metrics?.[metric]);
    case 'roc_auc':
      return known(score.ranking?.auc);
    case 'ks':
      return known(score.ranking?.ks);
    case 'average_precision':
      return known(score.ranking?.averagePrecision);
  }
}

/** Whether the decision rule (weights on the probabilities for macro F1) can change this metric: ranking metrics do not depend on it, and the argmax already maximizes expected accuracy. */
export function decisionRuleServes(metric: SelectionMetric): boolean {
  return metric === 'f1_macro';
}
