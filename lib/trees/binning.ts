/**
 * Feature binning, done once per training set: each feature's values are mapped to at most
 * 255 ordered bins (missing values to a bin of their own), so split search works on small
 * integer histograms instead of sorted floats.
 *
 * Thresholds are float32 values and inputs are compared as float32, the convention XGBoost
 * uses: a model we train and a model imported from XGBoost route rows the same way.
 */
import { lowerBound } from '../util/lower-bound.ts';

/** Slot of the missing-value bin in every feature's histogram. */
export const MISSING_BIN = 255;
const MISSING_BIN_LOCAL = MISSING_BIN; // read in a hot loop: a local, not the exported binding
/** Histogram slots per feature: value bins 0..254 plus the missing bin. */
export const BIN_SLOTS = 256;
const MAX_VALUE_BINS = 255;

export interface BinnedMatrix {
  rows: number;
  features: number;
  /** bins[i * features + f]: row-major, for boosting's row-wise histogram build. */
  rowMajor: Uint8Array;
  /** bins[f * rows + i]: column-major, for the forest's per-feature scans. */
  columnMajor: Uint8Array;
}

export class BinMapper {
  /** Number of value bins of each feature (missing excluded). */
  readonly valueBins: Int32Array;

  private constructor(
    /** thresholds[f][b]: a float32 value with x < t  <=>  bin(x) <= b. Length valueBins[f] - 1. */
    readonly thresholds: Float32Array[],
  ) {
    this.valueBins = Int32Array.from(thresholds, (t) => t.length + 1);
  }

  /** The same mapper from its thresholds (as a worker receives them). */
  static fromThresholds(thresholds: Float32Array[]): BinMapper {
    return new BinMapper(thresholds);
  }

  /** Fits quantile bins on a row-major matrix of `rows` x `features`. */
  static fit(X: Float64Array, rows: number, features: number, maxBins = MAX_VALUE_BINS + 1): BinMapper {
    const valueBins = Math.min(maxBins - 1, MAX_VALUE_BINS);
    if (valueBins < 2) throw new RangeError('maxBins must be at least 3');
    const column = new Float32Array(rows);
    const thresholds: Float32Array[] = [];
    for (let f = 0; f < features; f++) {
      let m = 0;
      for (let i = 0; i < rows; i++) {
        const v = X[i * features + f];
        if (v === v) column[m++] = v; // float32 rounding happens on assignment
      }
      thresholds.push(fitThresholds(column.subarray(0, m).sort(), valueBins));
    }
    return new BinMapper(thresholds);
  }

  /** Bin of one value of feature f. */
  binOf(f: number, value: number): number {
    if (value !== value) return MISSING_BIN;
    const t = this.thresholds[f];
    const v = Math.fround(value);
    let lo = 0;
    let hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v < t[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The float32 threshold of a split that sends bins <= b left; +Infinity past the last bin. */
  thresholdAfter(f: number, b: number): number {
    const t = this.thresholds[f];
    return b < t.length ? t[b] : Infinity;
  }

  transform(X: Float64Array, rows: number): BinnedMatrix {
    const features = this.thresholds.length;
    const rowMajor = new Uint8Array(rows * features);
    const columnMajor = new Uint8Array(rows * features);
    for (let i = 0; i < rows; i++) {
      for (let f = 0; f < features; f++) {
        const b = this.binOf(f, X[i * features + f]);
        rowMajor[i * features + f] = b;
        columnMajor[f * rows + i] = b;
      }
    }
    return { rows, features, rowMajor, columnMajor };
  }
}

/**
 * Thresholds between distinct values: all of them when there are few, else at quantiles of
 * the sorted values. Each threshold is the float32 midpoint of two neighbouring distinct
 * values (or the upper one when no float32 lies strictly between), so training values never
 * sit on a threshold.
 */
function fitThresholds(sorted: Float32Array, valueBins: number): Float32Array {
  const n = sorted.length;
  const distinct: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  const out: number[] = [];
  if (distinct.length <= valueBins) {
    for (let i = 1; i < distinct.length; i++) out.push(midpoint32(distinct[i - 1], distinct[i]));
    return Float32Array.from(out);
  }
  // Upper edges at quantile positions; each becomes a threshold below that distinct value.
  let lastUpper = -Infinity;
  for (let b = 1; b < valueBins; b++) {
    const upper = sorted[Math.floor((b * n) / valueBins)];
    if (upper <= lastUpper || upper === distinct[0]) continue;
    const below = distinct[lowerBound(distinct, upper) - 1];
    out.push(midpoint32(below, upper));
    lastUpper = upper;
  }
  return Float32Array.from(out);
}

function midpoint32(a: number, b: number): number {
  const t = Math.fround(a + (b - a) / 2);
  return t <= a ? b : t;
}

/**
 * Moves the rows of index[start, end) that go left (bin <= `bin`, or missing when `missingLeft`)
 * to the front, in place; returns where the right side starts. `column` is the split
 * feature's bins, indexed by row.
 */
export function partitionRows(
  index: Int32Array,
  start: number,
  end: number,
  column: Uint8Array,
  bin: number,
  missingLeft: boolean,
): number {
  let i = start;
  let j = end - 1;
  while (i <= j) {
    const b = column[index[i]];
    if (b === MISSING_BIN_LOCAL ? missingLeft : b <= bin) i++;
    else {
      const tmp = index[i];
      index[i] = index[j];
      index[j] = tmp;
      j--;
    }
  }
  return i;
}

/** The bins of one feature, for every row (a view into the column-major matrix). */
export function featureColumn(binned: BinnedMatrix, feature: number): Uint8Array {
  return binned.columnMajor.subarray(feature * binned.rows, (feature + 1) * binned.rows);
}

/**
 * One block of a stable partition, index[start, end) at a split (feature bins `column`, `bin`,
 * `missingLeft`): the rows going left are packed in place from `start`, those going right into
 * scratch from `start`, each side in the order it had. Returns how many went left. Each row is
 * written to both sides and kept by one: no branch whose direction is a coin toss, and every
 * write stays inside [start, end), so threads can compact neighbouring blocks at once.
 */
export function compactRows(
  index: Int32Array,
  start: number,
  end: number,
  column: Uint8Array,
  bin: number,
  missingLeft: boolean,
  scratch: Int32Array,
): number {
  const missingGoesLeft = missingLeft ? 1 : 0;
  let left = start;
  let right = start;
  for (let i = start; i < end; i++) {
    const r = index[i];
    const b = column[r];
    // 1 when the row goes left: bin <= split bin, or the missing bin sent left.
    const toLeft = b === MISSING_BIN_LOCAL ? missingGoesLeft : ((bin - b) >>> 31) ^ 1;
    index[left] = r;
    scratch[right] = r;
    left += toLeft;
    right += toLeft ^ 1;
  }
  return left - start;
}

/**
 * partitionRows, stable: both sides keep the rows' order (ascending rows stay ascending, so
 * later scans over a node read memory forwards). `scratch` is as long as `index`.
 */
export function partitionRowsStable(
  index: Int32Array,
  start: number,
  end: number,
  column: Uint8Array,
  bin: number,
  missingLeft: boolean,
  scratch: Int32Array,
): number {
  const mid = start + compactRows(index, start, end, column, bin, missingLeft, scratch);
  index.set(scratch.subarray(start, start + end - mid), mid);
  return mid;
}
