/**
 * Grows one regression tree on gradients and hessians, XGBoost's `hist` algorithm:
 * depth-wise growth, gain = GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ), min_child_weight on the
 * hessian sums, a learned default direction for missing values, and leaf weight −G/(H+λ)·η.
 *
 * Each level builds the histogram of the smaller child only; the larger child's is the
 * parent's minus it. Histograms are (g, h) pairs in one Float64Array per node, pooled.
 */
import { BIN_SLOTS as BIN_SLOTS_EXPORT, featureColumn, MISSING_BIN as MISSING_BIN_EXPORT, partitionRows, type BinMapper, type BinnedMatrix } from './binning.ts';
import { Tree } from './tree.ts';

// Module-local copies: an imported binding read in a hot loop costs a getter call per read
// under some loaders (measured: a quarter of boosting's time).
const BIN_SLOTS = BIN_SLOTS_EXPORT;
const MISSING_BIN = MISSING_BIN_EXPORT;

export interface GradientTreeParams {
  maxDepth: number;
  minChildWeight: number;
  regLambda: number;
  gamma: number;
  learningRate: number;
}

interface GrowingNode {
  node: number;
  start: number;
  end: number;
  sumGrad: number;
  sumHess: number;
  /** null for nodes that cannot split (at max depth or too light): no histogram is built. */
  hist: Float64Array | null;
}

interface NodeStats {
  start: number;
  end: number;
  sumGrad: number;
  sumHess: number;
  gain: number;
}

interface Split {
  feature: number;
  bin: number;
  missingLeft: boolean;
  gain: number;
  leftGrad: number;
  leftHess: number;
}

/** Minimum loss reduction that counts as a split (XGBoost's kRtEps). */
const MIN_GAIN = 1e-6;

export class GradientTreeBuilder {
  private readonly pool: Float64Array[] = [];
  private readonly histSize: number;

  constructor(
    private readonly binned: BinnedMatrix,
    private readonly bins: BinMapper,
    private readonly params: GradientTreeParams,
  ) {
    this.histSize = binned.features * BIN_SLOTS * 2;
  }

  /**
   * Grows a tree on `rows` (indices into the binned matrix; reordered in place so that each
   * leaf's rows are contiguous) using only `features`. Calls `onLeaf(value, start, end)` for
   * each leaf so the caller can update predictions of the rows it holds.
   */
  grow(
    grad: Float64Array,
    hess: Float64Array,
    rows: Int32Array,
    features: Int32Array,
    onLeaf: (value: number, start: number, end: number) => void,
  ): Tree {
    const tree = new Tree(1);
    const rootHist = this.take();
    this.buildHistogram(rootHist, grad, hess, rows, 0, rows.length, features);
    let sumGrad = 0;
    let sumHess = 0;
    for (let i = 0; i < rows.length; i++) {
      sumGrad += grad[rows[i]];
      sumHess += hess[rows[i]];
    }
    // Per tree node: its row range and sums, kept so that pruning can turn a split back into a leaf.
    const stats: NodeStats[] = [];
    let level: GrowingNode[] = [{ node: tree.addNode(), start: 0, end: rows.length, sumGrad, sumHess, hist: rootHist }];
    for (let depth = 0; level.length; depth++) {
      const next: GrowingNode[] = [];
      for (const current of level) {
        const split = current.hist ? this.findSplit(current, current.hist, features) : null;
        stats[current.node] = { start: current.start, end: current.end, sumGrad: current.sumGrad, sumHess: current.sumHess, gain: split?.gain ?? 0 };
        if (!split) {
          if (current.hist) this.release(current.hist);
          continue;
        }
        const mid = partitionRows(rows, current.start, current.end, featureColumn(this.binned, split.feature), split.bin, split.missingLeft);
        const leftNode = tree.addNode();
        const rightNode = tree.addNode();
        tree.setSplit(current.node, split.feature, split.bin, this.bins.thresholdAfter(split.feature, split.bin), split.missingLeft, leftNode, rightNode);
        next.push(...this.children(current, current.hist!, split, mid, leftNode, rightNode, depth + 1, grad, hess, rows, features));
      }
      level = next;
    }
    if (this.params.gamma > 0) this.prune(tree, 0, stats);
    this.setLeaves(tree, 0, stats, onLeaf);
    return tree;
  }

  /**
   * XGBoost's pruner, bottom-up: a split whose children are both leaves and whose gain is
   * below gamma becomes a leaf again. Its rows are contiguous (the union of its children's),
   * so the leaf keeps a valid row range. Returns whether `node` is now a leaf.
   */
  private prune(tree: Tree, node: number, stats: NodeStats[]): boolean {
    if (tree.feature[node] < 0) return true;
    const leftIsLeaf = this.prune(tree, tree.left[node], stats);
    const rightIsLeaf = this.prune(tree, tree.right[node], stats);
    if (leftIsLeaf && rightIsLeaf && stats[node].gain < this.params.gamma) {
      tree.feature[node] = -1;
      return true;
    }
    return false;
  }

  /** Leaf weight −G/(H+λ)·η (0 below min_child_weight) for every reachable leaf. */
  private setLeaves(tree: Tree, node: number, stats: NodeStats[], onLeaf: (value: number, start: number, end: number) => void): void {
    if (tree.feature[node] >= 0) {
      this.setLeaves(tree, tree.left[node], stats, onLeaf);
      this.setLeaves(tree, tree.right[node], stats, onLeaf);
      return;
    }
    const { regLambda, minChildWeight, learningRate } = this.params;
    const { sumGrad, sumHess, start, end } = stats[node];
    const weight = sumHess < minChildWeight ? 0 : -sumGrad / (sumHess + regLambda);
    const value = Math.fround(weight * learningRate);
    tree.setLeaf(node, [value]);
    onLeaf(value, start, end);
  }

  private take(): Float64Array {
    const hist = this.pool.pop();
    if (hist) {
      hist.fill(0);
      return hist;
    }
    return new Float64Array(this.histSize);
  }

  private release(hist: Float64Array): void {
    this.pool.push(hist);
  }

  private buildHistogram(
    hist: Float64Array,
    grad: Float64Array,
    hess: Float64Array,
    rows: Int32Array,
    start: number,
    end: number,
    features: Int32Array,
  ): void {
    const p = this.binned.features;
    const bins = this.binned.rowMajor;
    const all = features.length === p;
    for (let i = start; i < end; i++) {
      const r = rows[i];
      const g = grad[r];
      const h = hess[r];
      const base = r * p;
      if (all) {
        for (let f = 0; f < p; f++) {
          const slot = ((f << 8) + bins[base + f]) << 1;
          hist[slot] += g;
          hist[slot + 1] += h;
        }
      } else {
        for (let j = 0; j < features.length; j++) {
          const f = features[j];
          const slot = ((f << 8) + bins[base + f]) << 1;
          hist[slot] += g;
          hist[slot + 1] += h;
        }
      }
    }
  }

  private children(
    parent: GrowingNode,
    parentHist: Float64Array,
    split: Split,
    mid: number,
    leftNode: number,
    rightNode: number,
    childDepth: number,
    grad: Float64Array,
    hess: Float64Array,
    rows: Int32Array,
    features: Int32Array,
  ): [GrowingNode, GrowingNode] {
    const left: GrowingNode = { node: leftNode, start: parent.start, end: mid, sumGrad: split.leftGrad, sumHess: split.leftHess, hist: null };
    const right: GrowingNode = {
      node: rightNode,
      start: mid,
      end: parent.end,
      sumGrad: parent.sumGrad - split.leftGrad,
      sumHess: parent.sumHess - split.leftHess,
      hist: null,
    };
    // Children at max depth or too light to split again are leaves: they need sums, not histograms.
    const canSplit = (node: GrowingNode): boolean => childDepth < this.params.maxDepth && node.sumHess >= 2 * this.params.minChildWeight;
    const leftIsSmaller = mid - parent.start <= parent.end - mid;
    const [small, large] = leftIsSmaller ? [left, right] : [right, left];
    if (!canSplit(small) && !canSplit(large)) {
      this.release(parentHist);
      return [left, right];
    }
    const smallHist = this.take();
    this.buildHistogram(smallHist, grad, hess, rows, small.start, small.end, features);
    if (canSplit(large)) {
      // The larger child's histogram is the parent's minus the smaller one, in the parent's array.
      for (let j = 0; j < features.length; j++) {
        const from = features[j] * BIN_SLOTS * 2;
        const to = from + BIN_SLOTS * 2;
        for (let s = from; s < to; s++) parentHist[s] -= smallHist[s];
      }
      large.hist = parentHist;
    } else {
      this.release(parentHist);
    }
    if (canSplit(small)) small.hist = smallHist;
    else this.release(smallHist);
    return [left, right];
  }

  private findSplit(node: GrowingNode, hist: Float64Array, features: Int32Array): Split | null {
    const { regLambda: lambda, minChildWeight } = this.params;
    const G = node.sumGrad;
    const H = node.sumHess;
    if (H < 2 * minChildWeight) return null;
    const parentScore = (G * G) / (H + lambda);
    let best: Split | null = null;
    let bestGain = MIN_GAIN;
    for (let j = 0; j < features.length; j++) {
      const f = features[j];
      const valueBins = this.bins.valueBins[f];
      const base = (f << 8) << 1;
      const missingGrad = hist[base + MISSING_BIN * 2];
      const missingHess = hist[base + MISSING_BIN * 2 + 1];
      const hasMissing = missingHess > 0;
      for (let pass = 0; pass < (hasMissing ? 2 : 1); pass++) {
        const missingLeft = pass === 1;
        let gl = missingLeft ? missingGrad : 0;
        let hl = missingLeft ? missingHess : 0;
        for (let b = 0; b < valueBins - (missingLeft ? 1 : 0); b++) {
          gl += hist[base + b * 2];
          hl += hist[base + b * 2 + 1];
          if (hl < minChildWeight) continue;
          const hr = H - hl;
          if (hr < minChildWeight) break;
          const gr = G - gl;
          const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            best = { feature: f, bin: b, missingLeft: hasMissing ? missingLeft : false, gain, leftGrad: gl, leftHess: hl };
          }
        }
      }
    }
    return best;
  }
}
