/**
 * Whether a change (a decision rule, a tuned configuration) really gains on the outer folds of a
 * cross-validation, or only moves with the fold-to-fold noise: the one-sided paired t-test of
 * the per-fold differences (each fold scores both on the same test rows, so the folds' own
 * difficulty cancels out). The gain counts when its t statistic passes Student's t at 5 % with
 * folds - 1 degrees of freedom. A gain of 0.0002 in macro F1 whose folds disagree in sign is
 * noise; the same gain in every fold is not.
 */
import { meanAndStd } from './metrics.ts';

/** Student's t, one-sided 5 % critical values for 1..30 degrees of freedom (any statistics table). */
const T_CRITICAL_5_PERCENT = [
  6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.74,
  1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697,
];

export interface PairedGain {
  test: 'paired t-test over the outer folds, one-sided, 5 %';
  /** Mean of after - before over the folds. */
  gain: number;
  /** Sample standard deviation of the per-fold differences. */
  gainStd: number;
  /** gain / (gainStd / sqrt(folds)); null with fewer than two folds. Infinite when every fold gains the same. */
  t: number | null;
  /** The t a gain must pass. */
  critical: number | null;
  significant: boolean;
}

export function pairedGain(before: number[], after: number[]): PairedGain {
  const test = 'paired t-test over the outer folds, one-sided, 5 %' as const;
  if (before.length !== after.length)
    throw new Error(`paired scores differ in length: ${before.length} and ${after.length}`);
  const differences = after.map((a, i) => a - before[i]);
  const n = differences.length;
  if (n < 2) return { test, gain: differences[0] ?? 0, gainStd: 0, t: null, critical: null, significant: false };
  const gain = differences.reduce((s, d) => s + d, 0) / n;
  // meanAndStd gives the population deviation; the test wants the sample one (n - 1).
  const gainStd = meanAndStd(differences).std * Math.sqrt(n / (n - 1));
  const t = gainStd === 0 ? (gain > 0 ? Infinity : gain < 0 ? -Infinity : 0) : gain / (gainStd / Math.sqrt(n));
  // Past 30 degrees of freedom the 30's value: a little stricter than the exact one, never looser.
  const critical = T_CRITICAL_5_PERCENT[Math.min(n - 1, 30) - 1];
  return { test, gain, gainStd, t, critical, significant: gain > 0 && t > critical };
}
