/**
 * The decision rule for macro F1 (lib/evaluation/decision-weights.ts), learned honestly: for
 * each outer fold of the CV, the weights are learned from the inner held-out probabilities of
 * its training rows and scored on its outer test rows against the plain argmax on the same
 * rows (lib/training/nested-evidence.ts); the final weights are learned from the out-of-fold
 * probabilities of all rows. With a calibration, both are the calibrated probabilities (the
 * class is chosen from the probabilities served).
 *
 * Only the best candidate (chosen by argmax macro F1, as before) gets this estimate: the choice
 * of candidate does not depend on the rule, and one candidate's inner fits are what it costs.
 */
import type { DecisionRule } from '../artifact/model-bundle.ts';
import { applyDecisionWeights, learnDecisionWeights, macroF1Of } from '../evaluation/decision-weights.ts';
import { meanAndStd } from '../evaluation/metrics.ts';
import { pairedGain, type PairedGain } from '../evaluation/paired-gain.ts';
import type { FoldEvidence, NestedEvidence } from './nested-evidence.ts';

export const DECISION_RULE_MODES = ['off', 'auto', 'on'] as const;
/**
 * off: plain argmax; on: always the learned weights; auto: the weights only if their nested gain
 * is evidence, beyond the fold-to-fold noise (lib/evaluation/paired-gain.ts): a cut-off or class
 * weights are a credit policy, not moved on a gain of 0.0002 that half the folds contradict.
 */
export type DecisionRuleMode = (typeof DECISION_RULE_MODES)[number];
/** The mode when none is asked for: the weights only where they win. */
export const DEFAULT_DECISION_RULE: DecisionRuleMode = 'auto';

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
  /** Whether the weights' gain over the argmax, fold by fold, is more than noise. */
  evidence: PairedGain;
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

/** The nested estimate from each outer fold's evidence. */
export function estimateDecisionRule(evidence: FoldEvidence[], classes: number): NestedDecisionEstimate {
  const K = classes;
  const perFold = evidence.map(({ inner, outer }) => {
    const { weights } = learnDecisionWeights(inner.proba, inner.y, K);
    const rows = outer.y.length;
    const argmax = macroF1Of(outer.y, applyDecisionWeights(outer.proba, rows, K), K);
    const weighted = macroF1Of(outer.y, applyDecisionWeights(outer.proba, rows, K, weights), K);
    return { argmax, weighted, weights };
  });
  const argmax = perFold.map((r) => r.argmax);
  const weighted = perFold.map((r) => r.weighted);
  return {
    f1_macro_argmax: meanAndStd(argmax).mean,
    f1_macro_weighted: meanAndStd(weighted).mean,
    fold_f1_macro_argmax: argmax,
    fold_f1_macro_weighted: weighted,
    fold_weights: perFold.map((r) => r.weights),
    inner_fit_seconds: evidence.reduce((sum, r) => sum + r.seconds, 0),
    evidence: pairedGain(argmax, weighted),
  };
}

/**
 * The rule for the final model under `mode`: the nested estimate (unless off), the weights
 * learned from `finalProbabilities` (the out-of-fold probabilities of all rows), and whether
 * the artifact carries them.
 */
export function chooseDecisionRule(
  mode: DecisionRuleMode,
  /** null: the rule is off (no evidence was gathered). */
  evidence: NestedEvidence | null,
  finalProbabilities: Float64Array | null,
  y: Int32Array,
  classes: number,
): { report: DecisionRuleReport; decision?: DecisionRule } {
  if (mode === 'off' || !evidence || !finalProbabilities)
    return { report: { mode: 'off', applied: false, reason: 'off: the predicted class is the most probable one' } };
  const nested = 'folds' in evidence ? estimateDecisionRule(evidence.folds, classes) : undefined;
  const error = 'error' in evidence ? evidence.error : undefined;
  const wins = nested !== undefined && nested.evidence.significant;
  const applied = mode === 'on' || wins;
  const reason =
    mode === 'on'
      ? 'on: always applied'
      : nested === undefined
        ? `auto: not applied, the nested estimate failed (${error})`
        : `auto: ${wins ? 'applied' : 'not applied'}, nested macro F1 ${nested.f1_macro_weighted.toFixed(4)} with weights vs ${nested.f1_macro_argmax.toFixed(4)} argmax: ${evidenceWords(nested.evidence, nested.fold_f1_macro_argmax.length)}`;
  const report: DecisionRuleReport = {
    mode,
    applied,
    reason,
    ...(nested ? { nested } : {}),
    ...(error !== undefined ? { error } : {}),
  };
  if (!applied) return { report };
  const { weights } = learnDecisionWeights(finalProbabilities, y, classes);
  const decision: DecisionRule = {
    weights,
    nestedF1Macro: nested ? { argmax: nested.f1_macro_argmax, weighted: nested.f1_macro_weighted } : null,
  };
  return { report: { ...report, weights }, decision };
}

/** The paired test's verdict in a sentence, for the report and the train summary. */
function evidenceWords(e: PairedGain, folds: number): string {
  const gain = `${e.gain >= 0 ? '+' : ''}${e.gain.toFixed(4)}`;
  if (e.t === null) return `a gain of ${gain} on one fold cannot be told from noise`;
  const t = Number.isFinite(e.t)
    ? e.t.toFixed(2)
    : e.t > 0
      ? 'infinite (every fold gained the same)'
      : 'minus infinity';
  return e.significant
    ? `a gain of ${gain} beyond the fold-to-fold noise (paired t = ${t} over ${folds} folds, above ${e.critical})`
    : `a gain of ${gain} within the fold-to-fold noise (paired t = ${t} over ${folds} folds, needs more than ${e.critical})`;
}
