/**
 * A decision rule for macro F1: per-class weights w (w[0] = 1) so that predicting
 * argmax_k p[k] * w[k] scores a higher macro F1 than the plain argmax. Argmax maximizes
 * accuracy; with imbalanced classes macro F1 usually wants the rare classes predicted more
 * often, which re-weighting the probabilities does without touching them.
 *
 * For two classes this is a threshold: class 1 is predicted when p1 * w1 > p0, i.e. (p0 + p1 = 1)
 * when p1 > 1 / (1 + w1); learning w1 is learning the threshold.
 *
 * Learning is coordinate ascent: for one class k at a time, with the other weights held, each
 * row's prediction changes at exactly one value of w[k] (its breakpoint); sorting the rows by
 * breakpoint sweeps every distinct prediction in [lo, hi] in one pass, so each step is the exact
 * best w[k] (not a grid's), and for K = 2 the one step is the best threshold. A few passes over
 * the classes settle the rest. Deterministic: no randomness, ties keep the weight closest to 1
 * (in log scale), so where argmax is already best the weights stay all ones.
 */

import { applyDecisionWeights } from './decide-class.ts';
import { classificationMetrics } from './metrics.ts';

// The class chosen from probabilities lives below metrics (decide-class.ts), which argmaxRows uses too.
export { applyDecisionWeights, decideClass } from './decide-class.ts';

export interface LearnOptions {
  /** Smallest and largest weight tried (class 0 stays at 1). Default 2^-3 and 2^3. */
  lo?: number;
  hi?: number;
  /** Passes over the classes, at most (it stops earlier when a pass changes nothing). Default 3. */
  passes?: number;
}

export interface LearnedWeights {
  weights: number[];
  /** Macro F1 on the rows learned from, with plain argmax and with the weights. */
  f1MacroArgmax: number;
  f1MacroWeighted: number;
}

/**
 * Macro F1 (scikit-learn, zero_division=0) from per-class true positives, predictions and
 * supports: F1_k = 2 tp / (predicted + support). The learning loop's own, from running counts
 * (it scores thousands of candidate weights); one-off scores use macroF1Of.
 */
function macroF1(tp: Float64Array, predicted: Float64Array, support: Float64Array): number {
  let sum = 0;
  for (let k = 0; k < tp.length; k++) {
    const d = predicted[k] + support[k];
    if (d > 0) sum += (2 * tp[k]) / d;
  }
  return sum / tp.length;
}

/** Macro F1 of `predicted` against `y`, as the cross-validation scores it (metrics.ts). */
export function macroF1Of(y: Int32Array, predicted: Int32Array, K: number): number {
  return classificationMetrics(y, predicted, K).f1_macro;
}

/** Learns the weights that maximize macro F1 of argmax p * w on these probabilities and labels. */
export function learnDecisionWeights(
  P: Float64Array,
  y: Int32Array,
  K: number,
  options: LearnOptions = {},
): LearnedWeights {
  const n = y.length;
  if (P.length !== n * K)
    throw new RangeError(`probabilities hold ${P.length} values, ${n} rows of ${K} classes need ${n * K}`);
  const { lo = 2 ** -3, hi = 2 ** 3, passes = 3 } = options;
  const w = new Float64Array(K).fill(1);
  const argmaxF1 = macroF1Of(y, applyDecisionWeights(P, n, K), K);
  if (K < 2 || n === 0) return { weights: Array.from(w), f1MacroArgmax: argmaxF1, f1MacroWeighted: argmaxF1 };
  // Scratch, allocated once: per row the best other class and its score, the breakpoint, the sweep order.
  const other = new Int32Array(n);
  const otherScore = new Float64Array(n);
  const breakpoint = new Float64Array(n);
  const order = new Uint32Array(n);
  const isK = new Uint8Array(n);
  const tp = new Float64Array(K);
  const predicted = new Float64Array(K);
  const support = new Float64Array(K);
  for (let i = 0; i < n; i++) support[y[i]]++;
  const logDistance = (v: number): number => Math.abs(Math.log(v));

  for (let pass = 0; pass < passes; pass++) {
    let changed = false;
    for (let k = 1; k < K; k++) {
      // Each row's best class other than k (first on ties) and the weight above which k beats it.
      for (let i = 0; i < n; i++) {
        const o = i * K;
        let a = 0; // k >= 1, so class 0 is always an other class
        let m = P[o] * w[0];
        for (let j = 1; j < K; j++) {
          if (j === k) continue;
          const s = P[o + j] * w[j];
          if (s > m) {
            a = j;
            m = s;
          }
        }
        other[i] = a;
        otherScore[i] = m;
        const p = P[o + k];
        breakpoint[i] = p > 0 ? m / p : m === 0 && k < a ? -Infinity : Infinity;
      }
      // Only rows whose prediction can change inside [lo, hi] take part in the sweep (the sort is the cost).
      let movable = 0;
      for (let i = 0; i < n; i++) if (breakpoint[i] >= lo && breakpoint[i] <= hi) order[movable++] = i;
      const sweep = order.subarray(0, movable).sort((i, j) => breakpoint[i] - breakpoint[j] || i - j);
      /** Whether row i predicts k when w[k] = v: the same comparison decideClass makes (k wins ties only before the other class). */
      const predictsK = (i: number, v: number): boolean => {
        const s = P[i * K + k] * v;
        return s > otherScore[i] || (s === otherScore[i] && k < other[i]);
      };
      const current = w[k];
      // The confusion counts at the current weight: the candidate to beat (ties keep the weight nearer 1).
      tp.fill(0);
      predicted.fill(0);
      for (let i = 0; i < n; i++) {
        const c = predictsK(i, current) ? k : other[i];
        predicted[c]++;
        if (c === y[i]) tp[c]++;
      }
      let bestValue = current;
      let bestF1 = macroF1(tp, predicted, support);
      // The sweep: start at lo, then one value inside each gap between distinct breakpoints, then hi.
      tp.fill(0);
      predicted.fill(0);
      for (let i = 0; i < n; i++) {
        isK[i] = predictsK(i, lo) ? 1 : 0;
        const c = isK[i] ? k : other[i];
        predicted[c]++;
        if (c === y[i]) tp[c]++;
      }
      let next = 0;
      const consider = (v: number): void => {
        while (next < movable && predictsK(sweep[next], v)) {
          const i = sweep[next++];
          if (isK[i]) continue;
          isK[i] = 1;
          predicted[other[i]]--;
          if (y[i] === other[i]) tp[other[i]]--;
          predicted[k]++;
          if (y[i] === k) tp[k]++;
        }
        const f1 = macroF1(tp, predicted, support);
        if (f1 > bestF1 || (f1 === bestF1 && logDistance(v) < logDistance(bestValue))) {
          bestF1 = f1;
          bestValue = v;
        }
      };
      consider(lo);
      let previous = lo;
      for (let r = 0; r < movable; r++) {
        const b = breakpoint[sweep[r]];
        if (!(b > previous)) continue;
        if (b >= hi) break;
        consider(Math.sqrt(previous * b)); // geometric middle of the gap: away from both breakpoints
        previous = b;
      }
      if (previous < hi) consider(Math.sqrt(previous * hi));
      consider(hi);
      if (bestValue !== current) {
        w[k] = bestValue;
        changed = true;
      }
    }
    if (!changed) break;
  }
  const weights = Array.from(w);
  return { weights, f1MacroArgmax: argmaxF1, f1MacroWeighted: macroF1Of(y, applyDecisionWeights(P, n, K, weights), K) };
}
