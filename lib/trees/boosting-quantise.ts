/**
 * Quantised gradients (LightGBM 4's quantised training, Shi et al., NeurIPS 2022): each row's
 * gradient and hessian are rounded, stochastically so that the sums stay unbiased, to whole
 * multiples of a step, and both integers are packed into ONE float64,
 *
 *   packed = gInt * 2^shift + hInt,   0 <= hInt, |sums| small enough that every sum is exact,
 *
 * so the histogram kernel adds one number per (row, feature) instead of two: half the adds and
 * half the histogram memory (lib/trees/histogram-kernel.ts, buildPackedHistogramBlock). Sums of
 * whole numbers below 2^53 are exact in any order, so sibling subtraction and any split of the
 * work over threads give the same bits.
 *
 * The steps adapt to the rows (as many levels as the 53 bits allow for that many rows: 512
 * gradient and 256 hessian levels at 80,000 rows, LightGBM uses 4), and to the round's largest
 * gradient and hessian, as LightGBM's do. Split search and leaf values read the quantised sums
 * (LightGBM's default; its quant_train_renew_leaf, leaves from the exact gradients, measured
 * slower here for no better model: bench/RESULTS.md).
 */

/** Per output, in BoostingWorkspace.quantSteps: the gradient step, the hessian step, 2^shift. */
export const QUANT_WORDS = 3;

/** 16 random bits to [0, 1). */
const TO_UNIT = 1 / 65536;
/** Bits of one float64's exact integers. */
const EXACT_BITS = 53;
/** Fewest level bits, gradient and hessian together, worth quantising to (LightGBM's 4 levels: 2 bits each). */
const MIN_SPARE_BITS = 4;
/** More levels than this changes nothing measurable (a float32 gradient has 24 bits). */
const MAX_LEVEL_BITS = 16;

/** Whether `rows` rows leave enough of the 53 bits for quantising (up to ~8M rows; more fit exactly). */
export function canQuantise(rows: number): boolean {
  return spareBits(rows) >= MIN_SPARE_BITS;
}

/**
 * Bits left for the levels: |G| <= rows * 2^gradBits, H <= rows * 2^hessBits < 2^shift with
 * shift = rowBits + hessBits + 1, so |packed| <= 2^(2 rowBits + gradBits + hessBits + 1) + 2^shift,
 * kept at or below 2^52.
 */
function spareBits(rows: number): number {
  return EXACT_BITS - 2 - 2 * Math.ceil(Math.log2(rows + 1));
}

/** Gradient and hessian level bits for `rows` rows: |sum g| * 2^shift + sum h stays below 2^53. */
export function levelBits(rows: number): { gradBits: number; hessBits: number } {
  const spare = spareBits(rows);
  if (spare < MIN_SPARE_BITS) throw new RangeError(`too many rows (${rows}) for quantised gradients`);
  const hessBits = Math.min(MAX_LEVEL_BITS, Math.floor(spare / 2));
  return { gradBits: Math.min(MAX_LEVEL_BITS, spare - hessBits), hessBits };
}

/**
 * Quantises output k's (gradient, hessian) pairs of rows [0, rows) into `packed` and writes
 * the steps and scale to steps[k * QUANT_WORDS ..]. Runs on one thread, in row order, drawing
 * from `stream`: the same values for any number of threads.
 */
export function quantiseGradients(
  gradHess: Float64Array,
  packed: Float64Array,
  rows: number,
  steps: Float64Array,
  k: number,
  /** The rounding stream's state (xorshift32, never 0), carried from call to call. */
  stream: Uint32Array,
): void {
  const { gradBits, hessBits } = levelBits(rows);
  let maxGrad = 0;
  let maxHess = 0;
  for (let r = 0; r < rows; r++) {
    const g = Math.abs(gradHess[r << 1]);
    const h = gradHess[(r << 1) + 1];
    if (g > maxGrad) maxGrad = g;
    if (h > maxHess) maxHess = h;
  }
  const gradLevels = 2 ** gradBits;
  const hessLevels = 2 ** hessBits;
  const gradStep = maxGrad > 0 ? maxGrad / gradLevels : 1;
  const hessStep = maxHess > 0 ? maxHess / hessLevels : 1;
  const scale = 2 ** (Math.ceil(Math.log2(rows + 1)) + hessBits + 1);
  const invGrad = 1 / gradStep;
  const invHess = 1 / hessStep;
  let x = stream[0] | 0;
  for (let r = 0; r < rows; r++) {
    // Stochastic rounding, floor(v + u) with u uniform in [0, 1): up with probability v - floor(v),
    // so the expectation is exact; no branch (a coin-toss branch per value cost a third of this loop).
    // One 32-bit draw gives both 16 bits. xorshift32 (Marsaglia 2003) inline: a method call per
    // row cost a tenth of the fit.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const gInt = Math.floor(gradHess[r << 1] * invGrad + (x & 0xffff) * TO_UNIT);
    const hInt = Math.floor(gradHess[(r << 1) + 1] * invHess + (x >>> 16) * TO_UNIT);
    packed[r] = gInt * scale + hInt;
  }
  stream[0] = x;
  steps[k * QUANT_WORDS] = gradStep;
  steps[k * QUANT_WORDS + 1] = hessStep;
  steps[k * QUANT_WORDS + 2] = scale;
}

/** A rounding stream's first state from a seed (splitmix32's finaliser; xorshift32 must not start at 0). */
export function roundingStream(seed: number): Uint32Array {
  let z = (seed + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  z = (z ^ (z >>> 16)) >>> 0;
  return Uint32Array.of(z === 0 ? 1 : z);
}
