/**
 * Grows one fully-grown classification tree for a random forest (scikit-learn semantics:
 * gini, best split among `maxFeatures` features drawn per node, min_samples_split,
 * min_samples_leaf, max_depth), on binned features and bootstrap counts as sample weights.
 *
 * Histograms per node are class-weight sums per bin. Deep nodes are small, so the sweep
 * visits only the bins the node touches (sorted), not all 256 slots.
 */
import type { Random } from '../util/random.ts';
import {
  BIN_SLOTS as BIN_SLOTS_EXPORT,
  featureColumn,
  MISSING_BIN as MISSING_BIN_EXPORT,
  partitionRows,
  type BinMapper,
  type BinnedMatrix,
} from './binning.ts';
import { Tree } from './tree.ts';

// Module-local copies: an imported binding read in a hot loop costs a getter call per read
// under some loaders (measured: a quarter of boosting's time).
const BIN_SLOTS = BIN_SLOTS_EXPORT;
const MISSING_BIN = MISSING_BIN_EXPORT;

/** Rows from which a node's histogram lists its touched bins by scanning all of them rather than tracking each. */
const LARGE_NODE = 1024;
/** Touched bins above which a small node lists them by scanning the counts rather than sorting. */
const SORT_LIMIT = 32;

export interface GiniTreeParams {
  maxDepth: number | null;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  maxFeatures: number;
}

interface PendingNode {
  node: number;
  start: number;
  end: number;
  depth: number;
}

export class GiniTreeBuilder {
  private readonly classes: number;
  private readonly hist: Float64Array;
  private readonly counts: Int32Array;
  private readonly touched: Int32Array;
  private readonly featureOrder: Int32Array;
  private readonly nodeTotals: Float64Array;
  private readonly candidateLeft: Float64Array;
  /**
   * The class and weight of index[i], gathered once per node: every feature drawn at the node
   * then reads them in order instead of looking both up by row, two cache misses per row and
   * feature on a large node (measured: with the scan below, 8-10 % off a one-thread forest fit).
   */
  private readonly nodeY: Int32Array;
  private readonly nodeWeight: Float64Array;
  private lastTreeSize = 0;

  constructor(
    private readonly binned: BinnedMatrix,
    private readonly bins: BinMapper,
    private readonly y: Int32Array,
    classes: number,
    private readonly params: GiniTreeParams,
  ) {
    this.classes = classes;
    this.hist = new Float64Array(BIN_SLOTS * classes);
    this.counts = new Int32Array(BIN_SLOTS);
    this.touched = new Int32Array(BIN_SLOTS);
    this.featureOrder = Int32Array.from({ length: binned.features }, (_, f) => f);
    this.nodeTotals = new Float64Array(classes);
    this.candidateLeft = new Float64Array(classes);
    this.nodeY = new Int32Array(binned.rows);
    this.nodeWeight = new Float64Array(binned.rows);
  }

  /** Grows a tree on the rows with weight > 0 (weights are bootstrap counts). */
  grow(weights: Float64Array, rng: Random): Tree {
    // Each tree starts from the identity order, as each of scikit-learn's trees has a splitter of
    // its own: a tree then depends on its seed alone, not on the trees grown before it here.
    for (let f = 0; f < this.featureOrder.length; f++) this.featureOrder[f] = f;
    const K = this.classes;
    // Room for a little more than the last tree: trees of one forest are about the same size.
    const tree = new Tree(K, this.lastTreeSize + (this.lastTreeSize >> 3) + 1);
    let inBag = 0;
    for (let i = 0; i < weights.length; i++) if (weights[i] > 0) inBag++;
    const index = new Int32Array(inBag);
    for (let i = 0, at = 0; i < weights.length; i++) if (weights[i] > 0) index[at++] = i;
    const stack: PendingNode[] = [{ node: tree.addNode(), start: 0, end: index.length, depth: 0 }];
    const totals = this.nodeTotals;
    const leafValues = new Float64Array(K);
    while (stack.length) {
      const { node, start, end, depth } = stack.pop()!;
      totals.fill(0);
      let weight = 0;
      const { nodeY, nodeWeight, y } = this;
      for (let i = start; i < end; i++) {
        const r = index[i];
        nodeY[i] = y[r];
        nodeWeight[i] = weights[r];
        totals[nodeY[i]] += nodeWeight[i];
        weight += nodeWeight[i];
      }
      tree.setCover(node, weight);
      const split = this.isLeaf(end - start, depth, totals, weight)
        ? null
        : this.findSplit(index, start, end, rng, weight);
      if (!split) {
        for (let k = 0; k < K; k++) leafValues[k] = totals[k] / weight;
        tree.setLeaf(node, leafValues);
        continue;
      }
      const mid = partitionRows(
        index,
        start,
        end,
        featureColumn(this.binned, split.feature),
        split.bin,
        split.missingLeft,
      );
      const left = tree.addNode();
      const right = tree.addNode();
      const threshold = this.bins.thresholdAfter(split.feature, split.bin);
      tree.setSplit(node, split.feature, split.bin, threshold, split.missingLeft, left, right);
      stack.push({ node: right, start: mid, end, depth: depth + 1 });
      stack.push({ node: left, start, end: mid, depth: depth + 1 });
    }
    this.lastTreeSize = tree.size;
    return tree;
  }

  private isLeaf(samples: number, depth: number, totals: Float64Array, weight: number): boolean {
    const p = this.params;
    if (p.maxDepth !== null && depth >= p.maxDepth) return true;
    if (samples < p.minSamplesSplit || samples < 2 * p.minSamplesLeaf) return true;
    let sumSquares = 0;
    for (let k = 0; k < this.classes; k++) sumSquares += totals[k] * totals[k];
    const gini = 1 - sumSquares / (weight * weight);
    return gini <= 1e-7;
  }

  /**
   * Best gini split over features drawn in random order until `maxFeatures` non-constant
   * ones were evaluated (constant features do not count, as in scikit-learn).
   */
  private findSplit(
    index: Int32Array,
    start: number,
    end: number,
    rng: Random,
    weight: number,
  ): { feature: number; bin: number; missingLeft: boolean } | null {
    const K = this.classes;
    const { hist, counts, touched, featureOrder, candidateLeft, nodeY, nodeWeight } = this;
    const n = this.binned.rows;
    const cols = this.binned.columnMajor;
    const rowBins = this.binned.rowMajor;
    const p = this.binned.features;
    const minLeaf = this.params.minSamplesLeaf;
    const totals = this.nodeTotals;
    const samples = end - start;
    let bestScore = -Infinity;
    let bestFeature = -1;
    let bestBin = 0;
    let bestMissingLeft = false;
    let evaluated = 0;
    for (let drawn = 0; drawn < featureOrder.length && evaluated < this.params.maxFeatures; drawn++) {
      const pick = drawn + rng.nextInt(featureOrder.length - drawn);
      const f = featureOrder[pick];
      featureOrder[pick] = featureOrder[drawn];
      featureOrder[drawn] = f;

      // Histogram of the node's rows for feature f, remembering which bins were touched.
      let used = 0;
      const base = f * n;
      if (samples >= LARGE_NODE) {
        // Most bins are touched: count without tracking which, then list them in one scan, in order.
        for (let i = start; i < end; i++) {
          const b = cols[base + index[i]];
          counts[b]++;
          hist[b * K + nodeY[i]] += nodeWeight[i];
        }
        for (let b = 0; b < BIN_SLOTS; b++) if (counts[b] !== 0) touched[used++] = b;
      } else {
        // A small node's rows are scattered over the table: read them row-major, where the node's
        // other drawn features sit in the same cache line (measured: a few % off a fit).
        for (let i = start; i < end; i++) {
          const b = rowBins[index[i] * p + f];
          if (counts[b] === 0) touched[used++] = b;
          counts[b]++;
          hist[b * K + nodeY[i]] += nodeWeight[i];
        }
        if (used > SORT_LIMIT) {
          // Many bins: listing them in one scan of the counts is cheaper than sorting them.
          used = 0;
          for (let b = 0; b < BIN_SLOTS; b++) if (counts[b] !== 0) touched[used++] = b;
        } else {
          insertionSort(touched, used);
        }
      }
      const hasMissing = touched[used - 1] === MISSING_BIN;
      const valueBins = hasMissing ? used - 1 : used;
      if (valueBins + (hasMissing ? 1 : 0) > 1) {
        evaluated++;
        const missingCount = hasMissing ? counts[MISSING_BIN] : 0;
        // Sweep left-to-right over value bins; missing rows go right, then (if any) left.
        for (let pass = 0; pass < (hasMissing ? 2 : 1); pass++) {
          const missingLeft = pass === 1;
          for (let k = 0; k < K; k++) candidateLeft[k] = 0;
          let leftWeight = 0;
          let leftCount = 0;
          if (missingLeft) {
            for (let k = 0; k < K; k++) candidateLeft[k] = hist[MISSING_BIN * K + k];
            leftWeight = sumRange(candidateLeft, K);
            leftCount = missingCount;
          }
          const lastSplit = missingLeft ? valueBins - 1 : hasMissing ? valueBins : valueBins - 1;
          for (let t = 0; t < lastSplit; t++) {
            const b = touched[t];
            for (let k = 0; k < K; k++) {
              const w = hist[b * K + k];
              candidateLeft[k] += w;
              leftWeight += w;
            }
            leftCount += counts[b];
            const rightCount = samples - leftCount;
            if (leftCount < minLeaf || rightCount < minLeaf) continue;
            const rightWeight = weight - leftWeight;
            if (leftWeight <= 0 || rightWeight <= 0) continue;
            let leftSquares = 0;
            let rightSquares = 0;
            for (let k = 0; k < K; k++) {
              const l = candidateLeft[k];
              const r = totals[k] - l;
              leftSquares += l * l;
              rightSquares += r * r;
            }
            const score = leftSquares / leftWeight + rightSquares / rightWeight;
            if (score > bestScore + 1e-12) {
              bestScore = score;
              bestFeature = f;
              bestBin = b;
              bestMissingLeft = hasMissing ? missingLeft : leftWeight >= rightWeight;
            }
          }
        }
      }
      // Cleared slot by slot: a builtin fill per bin costs more than the few slots it clears.
      for (let t = 0; t < used; t++) {
        const b = touched[t];
        counts[b] = 0;
        for (let k = b * K, stop = k + K; k < stop; k++) hist[k] = 0;
      }
    }
    if (bestFeature < 0) return null;
    // A split must lower the impurity; equal scores mean a useless split.
    let parentSquares = 0;
    for (let k = 0; k < K; k++) parentSquares += totals[k] * totals[k];
    if (bestScore <= parentSquares / weight + 1e-12) return null;
    return { feature: bestFeature, bin: bestBin, missingLeft: bestMissingLeft };
  }
}

function sumRange(values: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i];
  return s;
}

/** Insertion sort for the few touched bins of a small node (at most SORT_LIMIT). */
function insertionSort(values: Int32Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = values[i];
    let j = i - 1;
    while (j >= 0 && values[j] > v) {
      values[j + 1] = values[j];
      j--;
    }
    values[j + 1] = v;
  }
}
