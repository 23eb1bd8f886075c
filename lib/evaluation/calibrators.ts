/**
 * Probability calibration as scikit-learn's CalibratedClassifierCV does it for a fitted model:
 * one-vs-rest, each class's probability mapped through a one-dimensional calibrator fitted on
 * held-out predictions, then the row renormalised (two classes: the second class is calibrated
 * and the first is its complement).
 *
 * - sigmoid (Platt scaling): p' = 1 / (1 + exp(a·p + b)), fitted by Newton's method with a
 *   backtracking line search on Platt's smoothed targets (Lin, Lin and Weng 2007), the
 *   algorithm behind scikit-learn's _sigmoid_calibration.
 * - isotonic: the non-decreasing step function closest to the outcomes (pool adjacent
 *   violators, ties pooled first), linear between its knots and clipped outside them, as
 *   scikit-learn's IsotonicRegression(out_of_bounds='clip'); only the knots where the value
 *   changes are kept.
 */
import { z } from 'zod';

export const CALIBRATION_METHODS = ['sigmoid', 'isotonic'] as const;
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

const sigmoidSchema = z.object({ a: z.number().finite(), b: z.number().finite() });
const isotonicSchema = z
  .object({ x: z.array(z.number().finite()).min(1), y: z.array(z.number().min(0).max(1)).min(1) })
  .refine((s) => s.x.length === s.y.length, 'x and y differ in length')
  .refine((s) => s.x.every((v, i) => i === 0 || v > s.x[i - 1]), 'x is not increasing');

/** calibration.json's calibrators: one per class, or for two classes one (the second class's). */
export const calibrationSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('sigmoid'), calibrators: z.array(sigmoidSchema).min(1) }),
  z.object({ method: z.literal('isotonic'), calibrators: z.array(isotonicSchema).min(1) }),
]);
export type Calibration = z.output<typeof calibrationSchema>;
type Sigmoid = z.output<typeof sigmoidSchema>;
type Isotonic = z.output<typeof isotonicSchema>;

/** Calibrators for `classes` classes from held-out probabilities (rows x classes) and their labels. */
export function fitCalibration(
  method: CalibrationMethod,
  probabilities: Float64Array,
  y: ArrayLike<number>,
  classes: number,
): Calibration {
  const rows = y.length;
  if (probabilities.length !== rows * classes)
    throw new RangeError(`${probabilities.length} probabilities for ${rows} rows of ${classes} classes`);
  const calibrated = classes === 2 ? [1] : Array.from({ length: classes }, (_, k) => k);
  const columns = calibrated.map((k) => {
    const p = new Float64Array(rows);
    const hit = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      p[i] = probabilities[i * classes + k];
      hit[i] = y[i] === k ? 1 : 0;
    }
    return { p, hit };
  });
  if (method === 'sigmoid') return { method, calibrators: columns.map(({ p, hit }) => fitSigmoid(p, hit)) };
  return { method, calibrators: columns.map(({ p, hit }) => fitIsotonic(p, hit)) };
}

/** Calibrates `rows` rows of probabilities in place. */
export function applyCalibration(
  calibration: Calibration,
  probabilities: Float64Array,
  rows: number,
  classes: number,
  offset = 0,
): void {
  const expected = classes === 2 ? 1 : classes;
  if (calibration.calibrators.length !== expected)
    throw new RangeError(`${calibration.calibrators.length} calibrators for ${classes} classes`);
  const map =
    calibration.method === 'sigmoid'
      ? (c: number, p: number) => sigmoid(calibration.calibrators[c], p)
      : (c: number, p: number) => isotonic(calibration.calibrators[c], p);
  for (let i = 0; i < rows; i++) {
    const base = offset + i * classes;
    if (classes === 2) {
      const p1 = clampUnit(map(0, probabilities[base + 1]));
      probabilities[base] = 1 - p1;
      probabilities[base + 1] = p1;
      continue;
    }
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += probabilities[base + k] = map(k, probabilities[base + k]);
    for (let k = 0; k < classes; k++)
      probabilities[base + k] = sum > 0 ? clampUnit(probabilities[base + k] / sum) : 1 / classes;
  }
}

function clampUnit(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

function sigmoid({ a, b }: Sigmoid, p: number): number {
  return 1 / (1 + Math.exp(a * p + b));
}

function isotonic({ x, y }: Isotonic, p: number): number {
  if (p <= x[0]) return y[0];
  const last = x.length - 1;
  if (p >= x[last]) return y[last];
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= p) lo = mid;
    else hi = mid;
  }
  return y[lo] + ((y[hi] - y[lo]) * (p - x[lo])) / (x[hi] - x[lo]);
}

/** Platt's sigmoid by Newton's method with backtracking (Lin, Lin and Weng 2007, Algorithm 1). */
export function fitSigmoid(f: Float64Array, hit: Float64Array): Sigmoid {
  const n = f.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += hit[i];
  const negatives = n - positives;
  // Platt's targets: the outcomes pulled off 0 and 1 by the class counts, against overfitting.
  const hiTarget = (positives + 1) / (positives + 2);
  const loTarget = 1 / (negatives + 2);
  const t = Float64Array.from(hit, (h) => (h ? hiTarget : loTarget));
  const objective = (a: number, b: number): number => {
    let value = 0;
    for (let i = 0; i < n; i++) {
      const fApB = f[i] * a + b;
      value += fApB >= 0 ? t[i] * fApB + Math.log1p(Math.exp(-fApB)) : (t[i] - 1) * fApB + Math.log1p(Math.exp(fApB));
    }
    return value;
  };
  let a = 0;
  let b = Math.log((negatives + 1) / (positives + 1));
  let value = objective(a, b);
  const SIGMA = 1e-12;
  for (let iteration = 0; iteration < 100; iteration++) {
    let h11 = SIGMA;
    let h22 = SIGMA;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      const fApB = f[i] * a + b;
      const e = Math.exp(-Math.abs(fApB));
      // p = P(positive) = 1 / (1 + exp(fApB)), q = 1 - p, each computed without overflow.
      const p = fApB >= 0 ? e / (1 + e) : 1 / (1 + e);
      const q = 1 - p;
      const d2 = p * q;
      h11 += f[i] * f[i] * d2;
      h22 += d2;
      h21 += f[i] * d2;
      const d1 = t[i] - p;
      g1 += f[i] * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < 1e-5 && Math.abs(g2) < 1e-5) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    for (; step >= 1e-10; step /= 2) {
      const next = objective(a + step * dA, b + step * dB);
      if (next < value + 1e-4 * step * gd) {
        a += step * dA;
        b += step * dB;
        value = next;
        break;
      }
    }
    if (step < 1e-10) break; // no step lowers the objective: as good as it gets
  }
  return { a, b };
}

/** The isotonic fit of outcomes `hit` on scores `f`, as knots (increasing x, non-decreasing y). */
export function fitIsotonic(f: Float64Array, hit: Float64Array): Isotonic {
  const order = Array.from({ length: f.length }, (_, i) => i).sort((i, j) => f[i] - f[j]);
  // Equal scores pooled first (their mean outcome), then adjacent violators pooled until the means rise.
  const xs: number[] = [];
  const sums: number[] = [];
  const weights: number[] = [];
  for (const i of order) {
    const last = xs.length - 1;
    if (last >= 0 && xs[last] === f[i]) {
      sums[last] += hit[i];
      weights[last]++;
    } else {
      xs.push(f[i]);
      sums.push(hit[i]);
      weights.push(1);
    }
  }
  // Blocks of the pooled points: [first point, last point], sum and weight.
  const blockStart: number[] = [];
  const blockSum: number[] = [];
  const blockWeight: number[] = [];
  for (let j = 0; j < xs.length; j++) {
    blockStart.push(j);
    blockSum.push(sums[j]);
    blockWeight.push(weights[j]);
    while (blockStart.length > 1) {
      const top = blockStart.length - 1;
      if (blockSum[top - 1] / blockWeight[top - 1] <= blockSum[top] / blockWeight[top]) break;
      blockSum[top - 1] += blockSum[top];
      blockWeight[top - 1] += blockWeight[top];
      blockStart.pop();
      blockSum.pop();
      blockWeight.pop();
    }
  }
  const fitted = new Float64Array(xs.length);
  for (let blk = 0; blk < blockStart.length; blk++) {
    const end = blk + 1 < blockStart.length ? blockStart[blk + 1] : xs.length;
    fitted.fill(blockSum[blk] / blockWeight[blk], blockStart[blk], end);
  }
  // Keep the ends of each run of equal values: the function between them is the same.
  const x: number[] = [];
  const y: number[] = [];
  for (let j = 0; j < xs.length; j++) {
    if (j > 0 && j < xs.length - 1 && fitted[j] === fitted[j - 1] && fitted[j] === fitted[j + 1]) continue;
    x.push(xs[j]);
    y.push(fitted[j]);
  }
  return { x, y };
}
