/**
 * Whether, and how, the saved model's probabilities are calibrated, judged like the decision
 * rule (lib/training/nested-evidence.ts): for each outer fold, each method is fitted on the
 * inner held-out probabilities of the training rows and applied to the outer test rows' CV
 * probabilities; pooled over the outer folds, that gives the Brier score, log loss and ECE
 * each method would have had on new data, beside the uncalibrated ones on the same rows. The
 * saved calibrators are fitted on the out-of-fold probabilities of all rows (scikit-learn's
 * CalibratedClassifierCV with ensemble=False).
 *
 * auto keeps the method with the lowest nested Brier score, and only if it is lower than the
 * uncalibrated one; sigmoid or isotonic always applies that method.
 */
import type { StoredCalibration } from '../artifact/model-bundle.ts';
import {
  addTallies,
  calibrationMetrics,
  calibrationTally,
  emptyTally,
  reliabilityTable,
  type CalibrationMetrics,
  type ReliabilityRow,
} from '../evaluation/calibration-metrics.ts';
import {
  applyCalibration,
  CALIBRATION_METHODS,
  fitCalibration,
  type CalibrationMethod,
} from '../evaluation/calibrators.ts';
import { applyDecisionWeights, macroF1Of } from '../evaluation/decision-weights.ts';
import type { FoldEvidence, NestedEvidence } from './nested-evidence.ts';

export const CALIBRATION_MODES = ['off', 'auto', ...CALIBRATION_METHODS] as const;
export type CalibrationMode = (typeof CALIBRATION_MODES)[number];
/** Off unless asked for: calibrated probabilities change what /predict answers, and explanations stay on the model's own output. */
export const DEFAULT_CALIBRATION: CalibrationMode = 'off';

/** One method's scores on the outer test folds, pooled (and the macro F1 of its most probable class, averaged over the folds). */
export interface NestedCalibrationScore extends CalibrationMetrics {
  f1_macro_argmax: number;
}

export interface CalibrationReport {
  mode: CalibrationMode;
  applied: boolean;
  method?: CalibrationMethod;
  reason: string;
  /** Absent with mode off, or when the nested estimate could not be made. */
  nested?: { uncalibrated: NestedCalibrationScore } & Partial<Record<CalibrationMethod, NestedCalibrationScore>>;
  /** The applied method's reliability on the outer test folds (nested), beside the uncalibrated one. */
  reliability?: { uncalibrated: ReliabilityRow[]; calibrated: ReliabilityRow[] };
  error?: string;
}

export interface CalibrationChoice {
  report: CalibrationReport;
  /** What the artifact stores, when applied. */
  stored?: StoredCalibration;
  /** When applied: the evidence with each fold's probabilities calibrated by that fold's own calibrators, for the decision rule. */
  evidence?: NestedEvidence;
  /** When applied: the final out-of-fold probabilities through the saved calibrators. */
  finalProbabilities?: Float64Array;
}

function calibrated(
  proba: Float64Array,
  rows: number,
  classes: number,
  calibration: ReturnType<typeof fitCalibration>,
): Float64Array {
  const out = proba.slice();
  applyCalibration(calibration, out, rows, classes);
  return out;
}

function score(
  folds: { proba: Float64Array; y: Int32Array }[],
  classes: number,
): { score: NestedCalibrationScore; reliability: ReliabilityRow[] } {
  const tally = folds.reduce((sum, f) => addTallies(sum, calibrationTally(f.y, f.proba, classes)), emptyTally());
  const f1 =
    folds.reduce((sum, f) => sum + macroF1Of(f.y, applyDecisionWeights(f.proba, f.y.length, classes), classes), 0) /
    folds.length;
  return { score: { ...calibrationMetrics(tally), f1_macro_argmax: f1 }, reliability: reliabilityTable(tally) };
}

/** Each fold's outer rows through calibrators fitted on its inner rows. */
function nestedFolds(evidence: FoldEvidence[], method: CalibrationMethod, classes: number): FoldEvidence[] {
  return evidence.map(({ inner, outer, seconds }) => {
    const calibration = fitCalibration(method, inner.proba, inner.y, classes);
    return {
      inner: { proba: calibrated(inner.proba, inner.y.length, classes, calibration), y: inner.y },
      outer: { proba: calibrated(outer.proba, outer.y.length, classes, calibration), y: outer.y },
      seconds,
    };
  });
}

export function chooseCalibration(
  mode: CalibrationMode,
  /** null: nothing was gathered (off). */
  evidence: NestedEvidence | null,
  finalProbabilities: Float64Array | null,
  y: Int32Array,
  classes: number,
): CalibrationChoice {
  if (mode === 'off' || !evidence || !finalProbabilities)
    return { report: { mode: 'off', applied: false, reason: "off: the probabilities served are the model's own" } };
  if ('error' in evidence) {
    if (mode === 'auto')
      return {
        report: {
          mode,
          applied: false,
          reason: `auto: not applied, the nested estimate failed (${evidence.error})`,
          error: evidence.error,
        },
      };
    return finish(mode, evidence, finalProbabilities, y, classes, {
      mode,
      applied: true,
      method: mode,
      reason: `${mode}: always applied (the nested estimate failed: ${evidence.error})`,
      error: evidence.error,
    });
  }
  const plain = score(
    evidence.folds.map((f) => f.outer),
    classes,
  );
  const byMethod = new Map(
    CALIBRATION_METHODS.map((method) => {
      const folds = nestedFolds(evidence.folds, method, classes);
      return [
        method,
        {
          folds,
          ...score(
            folds.map((f) => f.outer),
            classes,
          ),
        },
      ] as const;
    }),
  );
  const nested = {
    uncalibrated: plain.score,
    ...Object.fromEntries([...byMethod].map(([method, m]) => [method, m.score])),
  };
  const best = CALIBRATION_METHODS.reduce((a, b) =>
    byMethod.get(b)!.score.brier < byMethod.get(a)!.score.brier ? b : a,
  );
  const method = mode === 'auto' ? best : mode;
  const chosen = byMethod.get(method)!;
  const wins = chosen.score.brier < plain.score.brier;
  const brierText = `nested Brier ${chosen.score.brier.toFixed(4)} ${method} vs ${plain.score.brier.toFixed(4)} uncalibrated`;
  if (mode === 'auto' && !wins)
    return { report: { mode, applied: false, reason: `auto: not applied, ${brierText}`, nested } };
  const report: CalibrationReport = {
    mode,
    applied: true,
    method,
    reason: `${mode === 'auto' ? 'auto: applied' : `${mode}: always applied`}, ${brierText}`,
    nested,
    reliability: { uncalibrated: plain.reliability, calibrated: chosen.reliability },
  };
  return finish(method, { folds: chosen.folds }, finalProbabilities, y, classes, report, {
    uncalibrated: plain.score.brier,
    calibrated: chosen.score.brier,
  });
}

function finish(
  method: CalibrationMethod,
  evidence: NestedEvidence,
  finalProbabilities: Float64Array,
  y: Int32Array,
  classes: number,
  report: CalibrationReport,
  nestedBrier: StoredCalibration['nestedBrier'] = null,
): CalibrationChoice {
  const calibration = fitCalibration(method, finalProbabilities, y, classes);
  return {
    report,
    stored: { calibration, nestedBrier },
    evidence,
    finalProbabilities: calibrated(finalProbabilities, y.length, classes, calibration),
  };
}
