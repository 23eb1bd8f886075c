import { describe, expect, it } from 'vitest';
import { argmaxRows, classificationMetrics } from '../lib/evaluation/metrics.ts';
import { MISSING_BIN } from '../lib/trees/binning.ts';
import {
  canQuantise,
  levelBits,
  QUANT_WORDS,
  quantiseGradients,
  roundingStream,
} from '../lib/trees/boosting-quantise.ts';
import { GradientBoostingClassifier } from '../lib/trees/gradient-boosting.ts';
import { buildPackedHistogramBlock } from '../lib/trees/histogram-kernel.ts';
import { Random } from '../lib/util/random.ts';
import { syntheticThreeClasses } from './helpers.ts';

/** Random (gradient, hessian) pairs as softmax gives them: g in [-1, 1], h in (0, 0.5]. */
function pairs(rows: number, seed: number): Float64Array {
  const rng = new Random(seed);
  const out = new Float64Array(2 * rows);
  for (let r = 0; r < rows; r++) {
    out[r << 1] = rng.nextFloat() * 2 - 1;
    out[(r << 1) + 1] = 0.5 * (1 - rng.nextFloat());
  }
  return out;
}

/** A packed sum as its whole (gradient, hessian) level counts. */
function unpackInts(sum: number, scale: number): [number, number] {
  const g = Math.floor(sum / scale);
  return [g, sum - g * scale];
}

describe('quantised gradients', () => {
  it('keeps the packed sum of every row at the largest levels exact, so it unpacks to the two sums (8 to 1,000,000 rows)', () => {
    for (const rows of [8, 1000, 80_000, 1_000_000]) {
      const { gradBits, hessBits } = levelBits(rows);
      // Every row at the extreme levels: the largest sums the histograms can hold.
      const gradHess = new Float64Array(2 * rows);
      for (let r = 0; r < rows; r++) {
        gradHess[r << 1] = -1;
        gradHess[(r << 1) + 1] = 0.5;
      }
      const packed = new Float64Array(rows);
      const steps = new Float64Array(QUANT_WORDS);
      quantiseGradients(gradHess, packed, rows, steps, 0, roundingStream(1));
      let sum = 0;
      for (let r = 0; r < rows; r++) sum += packed[r];
      expect(Math.abs(sum)).toBeLessThan(2 ** 53);
      expect(unpackInts(sum, steps[2])).toEqual([-rows * 2 ** gradBits, rows * 2 ** hessBits]);
    }
  });

  it('quantises up to 8M rows and leaves larger fits exact (canQuantise false, levelBits refuses)', () => {
    expect(canQuantise(8_000_000)).toBe(true);
    expect(canQuantise(20_000_000)).toBe(false);
    expect(() => levelBits(20_000_000)).toThrow(/too many rows/);
  });

  it('rounds without bias: the unpacked sums of 80,000 rows are within a few rounding errors of the exact sums', () => {
    const rows = 80_000;
    const gradHess = pairs(rows, 3);
    const packed = new Float64Array(rows);
    const steps = new Float64Array(QUANT_WORDS);
    quantiseGradients(gradHess, packed, rows, steps, 0, roundingStream(7));
    let sum = 0;
    let exactGrad = 0;
    let exactHess = 0;
    for (let r = 0; r < rows; r++) {
      sum += packed[r];
      exactGrad += gradHess[r << 1];
      exactHess += gradHess[(r << 1) + 1];
    }
    const [g, h] = unpackInts(sum, steps[2]);
    // Each row's rounding error is below one step with mean 0: the sum's spread is under
    // sqrt(rows) steps. Rounding always down (or to nearest with a bias) misses by ~rows/2 steps.
    const tolerance = (step: number): number => 4 * Math.sqrt(rows) * step;
    expect(Math.abs(g * steps[0] - exactGrad)).toBeLessThan(tolerance(steps[0]));
    expect(Math.abs(h * steps[1] - exactHess)).toBeLessThan(tolerance(steps[1]));
    expect((rows / 2) * steps[0]).toBeGreaterThan(10 * tolerance(steps[0])); // a bias would break the bound tenfold
  });

  it('builds the packed histogram as the per-bin sums of the rows quantised levels, missing bin included', () => {
    const rows = 500;
    const features = 3;
    const rng = new Random(5);
    const rowMajor = Uint8Array.from({ length: rows * features }, () =>
      rng.nextFloat() < 0.1 ? MISSING_BIN : rng.nextInt(40),
    );
    const gradHess = pairs(rows, 9);
    const packed = new Float64Array(rows);
    const steps = new Float64Array(QUANT_WORDS);
    quantiseGradients(gradHess, packed, rows, steps, 0, roundingStream(2));
    // Every other row, as a node's rows are; two of the three features in use.
    const nodeRows = Int32Array.from({ length: rows / 2 }, (_, i) => 2 * i + 1);
    const used = Int32Array.of(0, 2, 0);
    const hist = new Float64Array(features * 512).fill(NaN);
    buildPackedHistogramBlock(
      hist,
      { rowMajor, features, used, usedCount: 2 },
      packed,
      nodeRows,
      0,
      nodeRows.length,
      0,
      2,
    );
    for (const f of [0, 2]) {
      const expected = new Float64Array(256);
      for (const r of nodeRows) expected[rowMajor[r * features + f]] += packed[r];
      expect(Array.from(hist.subarray(f * 512, f * 512 + 256))).toEqual(Array.from(expected));
    }
    expect(hist.subarray(512, 1024).every(Number.isNaN)).toBe(true); // feature 1 is not in use: untouched
  });

  it('gives a model within 0.02 macro F1 of the exact one on held-out rows, and the same model for the same seed', () => {
    const data = syntheticThreeClasses(3000, 6, 11);
    const held = syntheticThreeClasses(2000, 6, 12);
    const f1 = (quantised: boolean): number => {
      const model = new GradientBoostingClassifier({ n_estimators: 30, quantised_gradients: quantised }).fit(data);
      return classificationMetrics(held.y, argmaxRows(model.predictProbaBatch(held.X, held.rows), 3), 3).f1_macro;
    };
    expect(Math.abs(f1(true) - f1(false))).toBeLessThan(0.02);
    const a = new GradientBoostingClassifier({ n_estimators: 10, subsample: 0.8 }).fit(data);
    const b = new GradientBoostingClassifier({ n_estimators: 10, subsample: 0.8 }).fit(data);
    expect(Buffer.from(a.toBuffer())).toEqual(Buffer.from(b.toBuffer()));
  });
});
