/**
 * How well predicted probabilities match outcomes: the multi-class Brier score (mean over rows
 * of Σ_k (p_k − [y = k])², Brier's original definition: 0 to 2, twice scikit-learn's binary
 * brier_score_loss for two classes), log loss (scikit-learn's log_loss, probabilities clipped to
 * [eps, 1 − eps], eps = 2^-52) and the top-label expected calibration error over equal-width bins
 * of the highest probability (Σ_bins count/n · |accuracy − mean confidence|).
 *
 * Everything is a sum, so tallies of folds add up to the tally of the pooled out-of-fold
 * predictions: the same numbers as if every row had been scored at once.
 */
import { z } from 'zod';

const EPS = 2.220446049250313e-16;
export const CALIBRATION_BINS = 10;

export interface CalibrationBin {
  count: number;
  confidenceSum: number;
  correct: number;
}

export interface CalibrationTally {
  rows: number;
  brierSum: number;
  logLossSum: number;
  /** Bin b holds the rows whose highest probability is in [b/B, (b+1)/B) (the last includes 1). */
  bins: CalibrationBin[];
}

/** Of the out-of-fold probabilities; stored in metrics.json (parsed by this schema on load). */
export const calibrationMetricsSchema = z.object({
  brier: z.number(),
  log_loss: z.number(),
  ece: z.number(),
});
export type CalibrationMetrics = z.output<typeof calibrationMetricsSchema>;

export interface ReliabilityRow {
  /** The bin's confidence range [from, to). */
  from: number;
  to: number;
  mean_confidence: number;
  accuracy: number;
  count: number;
}

export function emptyTally(bins = CALIBRATION_BINS): CalibrationTally {
  return {
    rows: 0,
    brierSum: 0,
    logLossSum: 0,
    bins: Array.from({ length: bins }, () => ({ count: 0, confidenceSum: 0, correct: 0 })),
  };
}

/** The tally of rows with labels `y` and row-major probabilities `probabilities` (rows x classes). */
export function calibrationTally(
  y: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  classes: number,
  bins = CALIBRATION_BINS,
): CalibrationTally {
  if (probabilities.length !== y.length * classes)
    throw new RangeError(`${probabilities.length} probabilities for ${y.length} rows of ${classes} classes`);
  const tally = emptyTally(bins);
  tally.rows = y.length;
  for (let i = 0; i < y.length; i++) {
    const base = i * classes;
    let top = 0;
    for (let k = 0; k < classes; k++) {
      const p = probabilities[base + k];
      const hit = y[i] === k ? 1 : 0;
      tally.brierSum += (p - hit) ** 2;
      if (p > probabilities[base + top]) top = k; // the first of equal highest, as argmax
    }
    tally.logLossSum -= Math.log(Math.min(1 - EPS, Math.max(EPS, probabilities[base + y[i]])));
    const confidence = probabilities[base + top];
    const bin = tally.bins[Math.min(bins - 1, Math.floor(confidence * bins))];
    bin.count++;
    bin.confidenceSum += confidence;
    if (top === y[i]) bin.correct++;
  }
  return tally;
}

/** The tally of the union of the rows of `a` and `b`. */
export function addTallies(a: CalibrationTally, b: CalibrationTally): CalibrationTally {
  if (a.bins.length !== b.bins.length) throw new RangeError('tallies of different bin counts');
  return {
    rows: a.rows + b.rows,
    brierSum: a.brierSum + b.brierSum,
    logLossSum: a.logLossSum + b.logLossSum,
    bins: a.bins.map((bin, j) => ({
      count: bin.count + b.bins[j].count,
      confidenceSum: bin.confidenceSum + b.bins[j].confidenceSum,
      correct: bin.correct + b.bins[j].correct,
    })),
  };
}

export function calibrationMetrics(tally: CalibrationTally): CalibrationMetrics {
  const n = tally.rows;
  let ece = 0;
  for (const bin of tally.bins) if (bin.count) ece += Math.abs(bin.correct - bin.confidenceSum) / n;
  return { brier: tally.brierSum / n, log_loss: tally.logLossSum / n, ece };
}

/** Per bin: the mean highest probability, how often it was the right class, and how many rows. Empty bins are left out. */
export function reliabilityTable(tally: CalibrationTally): ReliabilityRow[] {
  const n = tally.bins.length;
  return tally.bins.flatMap((bin, b) =>
    bin.count
      ? [
          {
            from: b / n,
            to: (b + 1) / n,
            mean_confidence: bin.confidenceSum / bin.count,
            accuracy: bin.correct / bin.count,
            count: bin.count,
          },
        ]
      : [],
  );
}
