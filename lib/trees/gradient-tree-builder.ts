/**
 * Grows one regression tree on gradients and hessians, XGBoost's `hist` algorithm:
 * depth-wise growth, gain = GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ), min_child_weight on the
 * hessian sums, a learned default direction for missing values, and leaf weight −G/(H+λ)·η.
 *
 * Monotone constraints as XGBoost enforces them (its TreeEvaluator): every node carries bounds
 * on its weight; weights are clamped into them and gains computed from the clamped weights; a
 * split on a constrained feature whose children's weights go the wrong way is rejected; the
 * children of an accepted split are bounded by the mean of their weights, the left from above
 * (increasing) or below (decreasing), the right the other way. Every leaf left of the split then
 * weighs no more (no less) than every leaf right of it, so each tree is monotone in the feature.
 *
 * Each level builds the histogram of the smaller child only; the larger child's is the
 * parent's minus it. With a histogram team, large nodes' histograms are built by several
 * threads, each a block of the features (lib/trees/boosting-team.ts); the tree is the same.
 */
import {
  featureColumn,
  MISSING_BIN as MISSING_BIN_EXPORT,
  partitionRowsStable,
  type BinMapper,
  type BinnedMatrix,
} from './binning.ts';
import {
  buildHistogramBlock,
  buildPackedHistogramBlock,
  subtractHistogramBlock,
  subtractPackedHistogramBlock,
  type HistogramInput,
} from './histogram-kernel.ts';
import { QUANT_WORDS } from './boosting-quantise.ts';
import { HistogramStore, histogramInput, type BoostingWorkspace, type Histogram } from './boosting-workspace.ts';
import { Tree } from './tree.ts';

// A module-local copy: an imported binding read in a hot loop costs a getter call per read
// under some loaders (measured: a quarter of boosting's time).
const MISSING_BIN = MISSING_BIN_EXPORT;

export interface HistogramStep {
  output: number;
  histSlot: number;
  /** The arena slot of the parent to subtract the built histogram from, or -1. */
  parentSlot: number;
  start: number;
  end: number;
  usedCount: number;
}

/**
 * The steps of a tree that a team of threads can share (BoostingTeam, boosting-team.ts); each
 * answers that it did nothing (false, -1) when the step is small or no helper is there, and the
 * builder then does it alone.
 */
export interface SharedSteps {
  histogram(step: HistogramStep): boolean;
  partition(start: number, end: number, feature: number, bin: number, missingLeft: boolean): number;
}

export interface GradientTreeParams {
  maxDepth: number;
  minChildWeight: number;
  regLambda: number;
  gamma: number;
  learningRate: number;
  /** Per feature: 1 increasing, -1 decreasing, 0 free; null when no feature is constrained. */
  monotone: Int8Array | null;
}

/** Bounds on a node's weight (before the learning rate), from its ancestors' monotone splits. */
export interface Bounds {
  lower: number;
  upper: number;
}

const UNBOUNDED: Bounds = { lower: -Infinity, upper: Infinity };

export interface GrowingNode {
  node: number;
  start: number;
  end: number;
  sumGrad: number;
  sumHess: number;
  /** null for nodes that cannot split (at max depth or too light): no histogram is built. */
  hist: Histogram | null;
  bounds: Bounds;
}

export interface NodeStats {
  start: number;
  end: number;
  sumGrad: number;
  sumHess: number;
  gain: number;
  bounds: Bounds;
}

interface Split {
  feature: number;
  bin: number;
  missingLeft: boolean;
  gain: number;
  leftGrad: number;
  leftHess: number;
  /** With monotone constraints: the children's clamped weights, which bound their subtrees. */
  leftWeight: number;
  rightWeight: number;
}

/** What a subtree grows from: one of splitRoot's children (its rows travel apart). */
export interface SubtreeRoot {
  /** Its depth in the whole tree. */
  depth: number;
  sumGrad: number;
  sumHess: number;
  bounds: Bounds;
  /** Its histogram's values; null for a child that cannot split (a leaf). */
  hist: Float64Array | null;
}

/** A tree with only its top levels grown (GradientTreeBuilder.splitRoot). */
export interface RootSplit {
  output: number;
  tree: Tree;
  /** The nodes at `depth` still to grow, left to right; none when the tree ended above it. */
  children: GrowingNode[];
  stats: NodeStats[];
  rows: Int32Array;
  depth: number;
}

/** Minimum loss reduction that counts as a split (XGBoost's kRtEps). */
const MIN_GAIN = 1e-6;

/** Called for each leaf with its value and its rows, rows[start..end). */
export type OnLeaf = (value: number, rows: Int32Array, start: number, end: number) => void;

export class GradientTreeBuilder {
  private readonly store: HistogramStore;
  private input: HistogramInput;
  private output = 0;

  constructor(
    private readonly binned: BinnedMatrix,
    private readonly bins: BinMapper,
    private readonly params: GradientTreeParams,
    private readonly workspace: BoostingWorkspace,
    private readonly team: SharedSteps | null = null,
  ) {
    this.store = new HistogramStore(workspace);
    this.input = histogramInput(workspace, binned.features);
    if (workspace.packed && params.monotone)
      throw new Error('quantised gradients are not used with monotone constraints (their split search is exact)');
  }

  /**
   * Grows a tree for output `output` (its gradients in workspace.gradHess[output]) on
   * `sampledRows` using only the features `used` (ascending). Calls `onLeaf` for each leaf
   * so the caller can update predictions of the rows it holds.
   */
  grow(output: number, sampledRows: Int32Array, used: Int32Array, onLeaf: OnLeaf): Tree {
    const { tree, level, stats, rows } = this.startTree(output, sampledRows, used);
    this.growLevels(tree, level, 0, Infinity, stats, rows, used);
    if (this.params.gamma > 0) this.prune(tree, 0, stats);
    this.setLeaves(tree, 0, stats, rows, onLeaf);
    return tree;
  }

  /**
   * The top `depth` levels of output's tree only (their large steps on the team), and the nodes
   * below them still to grow, each with its rows (a range of workspace.order), sums and
   * histogram, for other threads to grow as subtrees (growSubtree) and graft back (Tree.graft).
   * The top's own leaves get their values from finishTop. Only without gamma: pruning would
   * need the whole tree before any leaf is set.
   */
  splitRoot(output: number, sampledRows: Int32Array, used: Int32Array, depth: number): RootSplit {
    if (this.params.gamma > 0)
      throw new Error('a tree is split into subtrees only without gamma (pruning needs the whole tree)');
    const { tree, level, stats, rows } = this.startTree(output, sampledRows, used);
    const children = this.growLevels(tree, level, 0, depth, stats, rows, used);
    return { output, tree, children, stats, rows, depth };
  }

  /** The values of the leaves in a split root's top levels (not the nodes its subtrees go under), as grow() would set them. */
  finishTop(root: RootSplit, onLeaf: OnLeaf): void {
    this.output = root.output;
    const pending = new Set(root.children.map((child) => child.node));
    const visit = (node: number): void => {
      if (pending.has(node)) return;
      if (root.tree.feature[node] >= 0) {
        visit(root.tree.left[node]);
        visit(root.tree.right[node]);
      } else {
        this.setLeafValue(root.tree, node, root.stats, root.rows, onLeaf);
      }
    };
    visit(0);
  }

  /** Gives back the histograms splitRoot's children held, once their subtrees are grown. */
  releaseChildren(root: RootSplit): void {
    for (const child of root.children) if (child.hist) this.store.release(child.hist);
  }

  /**
   * Grows the subtree under one of splitRoot's children, whose rows are `rows` (in node order),
   * as grow() would have grown it inside the whole tree: the same levels from its depth, the same
   * sums, so the same nodes and leaf values. Node 0 of the result is the child.
   */
  growSubtree(output: number, rows: Int32Array, used: Int32Array, child: SubtreeRoot, onLeaf: OnLeaf): Tree {
    const own = this.workspace.order.subarray(0, rows.length);
    own.set(rows);
    this.workspace.used.set(used);
    this.input = histogramInput(this.workspace, used.length);
    this.output = output;
    const tree = new Tree(1);
    let hist: Histogram | null = null;
    if (child.hist) {
      hist = this.store.take();
      hist.values.set(child.hist);
    }
    const stats: NodeStats[] = [];
    const level: GrowingNode[] = [
      {
        node: tree.addNode(),
        start: 0,
        end: own.length,
        sumGrad: child.sumGrad,
        sumHess: child.sumHess,
        hist,
        bounds: child.bounds,
      },
    ];
    this.growLevels(tree, level, child.depth, Infinity, stats, own, used);
    this.setLeaves(tree, 0, stats, own, onLeaf);
    return tree;
  }

  /** Places the rows, builds the root's histogram and sums: the root level, ready to grow. */
  private startTree(
    output: number,
    sampledRows: Int32Array,
    used: Int32Array,
  ): { tree: Tree; level: GrowingNode[]; stats: NodeStats[]; rows: Int32Array } {
    const rows = this.workspace.order.subarray(0, sampledRows.length);
    rows.set(sampledRows);
    this.workspace.used.set(used);
    this.input = histogramInput(this.workspace, used.length);
    this.output = output;
    const gradHess = this.workspace.gradHess[output];
    const tree = new Tree(1);
    const rootHist = this.store.take();
    this.buildHistogram(rootHist, null, rows, 0, rows.length);
    let sumGrad = 0;
    let sumHess = 0;
    const packed = this.workspace.packed?.[output];
    if (packed) {
      let sum = 0;
      for (let i = 0; i < rows.length; i++) sum += packed[rows[i]];
      [sumGrad, sumHess] = this.unpack(sum);
    } else {
      for (let i = 0; i < rows.length; i++) {
        sumGrad += gradHess[rows[i] << 1];
        sumHess += gradHess[(rows[i] << 1) + 1];
      }
    }
    const level: GrowingNode[] = [
      { node: tree.addNode(), start: 0, end: rows.length, sumGrad, sumHess, hist: rootHist, bounds: UNBOUNDED },
    ];
    return { tree, level, stats: [], rows };
  }

  /**
   * Grows `level` (nodes at depth `firstDepth`) and the levels below it, at most `levels` of
   * them; returns the nodes of the next level still to grow (none once the tree is done).
   * Per tree node, `stats` keeps its row range and sums, so that pruning can turn a split back
   * into a leaf and setLeaves can weigh the leaves.
   */
  private growLevels(
    tree: Tree,
    level: GrowingNode[],
    firstDepth: number,
    levels: number,
    stats: NodeStats[],
    rows: Int32Array,
    used: Int32Array,
  ): GrowingNode[] {
    for (let depth = firstDepth; level.length && depth < firstDepth + levels; depth++) {
      const next: GrowingNode[] = [];
      for (const current of level) {
        const split = current.hist
          ? this.params.monotone
            ? this.findMonotoneSplit(current, current.hist.values, used, this.params.monotone)
            : this.workspace.packed
              ? this.findPackedSplit(current, current.hist.values, used)
              : this.findSplit(current, current.hist.values, used)
          : null;
        stats[current.node] = {
          start: current.start,
          end: current.end,
          sumGrad: current.sumGrad,
          sumHess: current.sumHess,
          gain: split?.gain ?? 0,
          bounds: current.bounds,
        };
        tree.setCover(current.node, current.sumHess);
        if (!split) {
          if (current.hist) this.store.release(current.hist);
          continue;
        }
        const mid = this.partition(rows, current.start, current.end, split);
        const leftNode = tree.addNode();
        const rightNode = tree.addNode();
        tree.setSplit(
          current.node,
          split.feature,
          split.bin,
          this.bins.thresholdAfter(split.feature, split.bin),
          split.missingLeft,
          leftNode,
          rightNode,
        );
        next.push(...this.children(current, current.hist!, split, mid, leftNode, rightNode, depth + 1, rows));
      }
      level = next;
    }
    return level;
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

  /** Leaf weight −G/(H+λ)·η (0 below min_child_weight), clamped into its bounds, for every reachable leaf. */
  private setLeaves(tree: Tree, node: number, stats: NodeStats[], rows: Int32Array, onLeaf: OnLeaf): void {
    if (tree.feature[node] >= 0) {
      this.setLeaves(tree, tree.left[node], stats, rows, onLeaf);
      this.setLeaves(tree, tree.right[node], stats, rows, onLeaf);
      return;
    }
    this.setLeafValue(tree, node, stats, rows, onLeaf);
  }

  private setLeafValue(tree: Tree, node: number, stats: NodeStats[], rows: Int32Array, onLeaf: OnLeaf): void {
    const { regLambda, minChildWeight, learningRate } = this.params;
    // With quantised gradients these are the quantised sums (LightGBM's default, no renewed leaves):
    // renewing from the exact gradients, one more pass over every leaf's rows, cost 7 % of a
    // 60-round fit for a macro F1 0.001 lower on the speed table (bench/RESULTS.md, quantised gradients).
    const { sumGrad, sumHess, start, end, bounds } = stats[node];
    const free = sumHess < minChildWeight ? 0 : -sumGrad / (sumHess + regLambda);
    const weight = free < bounds.lower ? bounds.lower : free > bounds.upper ? bounds.upper : free;
    const value = Math.fround(weight * learningRate);
    tree.setLeaf(node, [value]);
    onLeaf(value, rows, start, end);
  }

  /**
   * Fills `hist` from rows[start..end) and, given a parent, subtracts it from the parent's
   * (which becomes the sibling's). Large nodes go to the team when both are in its arena.
   */
  private buildHistogram(
    hist: Histogram,
    parent: Histogram | null,
    rows: Int32Array,
    start: number,
    end: number,
  ): void {
    const gradHess = this.workspace.gradHess[this.output];
    const packed = this.workspace.packed?.[this.output];
    const input = this.input;
    const whole = (jStart: number, jEnd: number): void => {
      if (packed) {
        buildPackedHistogramBlock(hist.values, input, packed, rows, start, end, jStart, jEnd);
        if (parent) subtractPackedHistogramBlock(parent.values, hist.values, input, jStart, jEnd);
        return;
      }
      buildHistogramBlock(hist.values, input, gradHess, rows, start, end, jStart, jEnd);
      if (parent) subtractHistogramBlock(parent.values, hist.values, input, jStart, jEnd);
    };
    const shareable = this.team && hist.slot >= 0 && (!parent || parent.slot >= 0);
    if (
      shareable &&
      this.team!.histogram({
        output: this.output,
        histSlot: hist.slot,
        parentSlot: parent ? parent.slot : -1,
        start,
        end,
        usedCount: input.usedCount,
      })
    )
      return;
    whole(0, input.usedCount);
  }

  /** Partitions rows[start, end) at the split, stably (on the team for a large node); returns where the right side starts. */
  private partition(rows: Int32Array, start: number, end: number, split: Split): number {
    const mid = this.team ? this.team.partition(start, end, split.feature, split.bin, split.missingLeft) : -1;
    if (mid >= 0) return mid;
    return partitionRowsStable(
      rows,
      start,
      end,
      featureColumn(this.binned, split.feature),
      split.bin,
      split.missingLeft,
      this.workspace.scratch,
    );
  }

  private children(
    parent: GrowingNode,
    parentHist: Histogram,
    split: Split,
    mid: number,
    leftNode: number,
    rightNode: number,
    childDepth: number,
    rows: Int32Array,
  ): [GrowingNode, GrowingNode] {
    const [leftBounds, rightBounds] = this.childBounds(parent.bounds, split);
    const left: GrowingNode = {
      node: leftNode,
      start: parent.start,
      end: mid,
      sumGrad: split.leftGrad,
      sumHess: split.leftHess,
      hist: null,
      bounds: leftBounds,
    };
    const right: GrowingNode = {
      node: rightNode,
      start: mid,
      end: parent.end,
      sumGrad: parent.sumGrad - split.leftGrad,
      sumHess: parent.sumHess - split.leftHess,
      hist: null,
      bounds: rightBounds,
    };
    // Children at max depth or too light to split again are leaves: they need sums, not histograms.
    const canSplit = (node: GrowingNode): boolean =>
      childDepth < this.params.maxDepth && node.sumHess >= 2 * this.params.minChildWeight;
    const leftIsSmaller = mid - parent.start <= parent.end - mid;
    const [small, large] = leftIsSmaller ? [left, right] : [right, left];
    if (!canSplit(small) && !canSplit(large)) {
      this.store.release(parentHist);
      return [left, right];
    }
    const smallHist = this.store.take();
    // The larger child's histogram is the parent's minus the smaller one, in the parent's array.
    this.buildHistogram(smallHist, canSplit(large) ? parentHist : null, rows, small.start, small.end);
    if (canSplit(large)) large.hist = parentHist;
    else this.store.release(parentHist);
    if (canSplit(small)) small.hist = smallHist;
    else this.store.release(smallHist);
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
            best = {
              feature: f,
              bin: b,
              missingLeft: hasMissing ? missingLeft : false,
              gain,
              leftGrad: gl,
              leftHess: hl,
              leftWeight: 0,
              rightWeight: 0,
            };
          }
        }
      }
    }
    return best;
  }

  /** A packed sum of quantised (gradient, hessian) pairs (lib/trees/boosting-quantise.ts) as the two sums it holds. */
  private unpack(packedSum: number): [number, number] {
    const steps = this.workspace.quantSteps;
    const at = this.output * QUANT_WORDS;
    const scale = steps[at + 2];
    const gradInt = Math.floor(packedSum / scale);
    return [gradInt * steps[at], (packedSum - gradInt * scale) * steps[at + 1]];
  }

  /**
   * findSplit over a packed histogram (quantised gradients): the same scan and gains, each
   * bin's sums decoded from the exact running sum of its packed values.
   */
  private findPackedSplit(node: GrowingNode, hist: Float64Array, features: Int32Array): Split | null {
    const { regLambda: lambda, minChildWeight } = this.params;
    const G = node.sumGrad;
    const H = node.sumHess;
    if (H < 2 * minChildWeight) return null;
    const steps = this.workspace.quantSteps;
    const at = this.output * QUANT_WORDS;
    const gradStep = steps[at];
    const hessStep = steps[at + 1];
    const scale = steps[at + 2];
    const parentScore = (G * G) / (H + lambda);
    let best: Split | null = null;
    let bestGain = MIN_GAIN;
    for (let j = 0; j < features.length; j++) {
      const f = features[j];
      const valueBins = this.bins.valueBins[f];
      const base = f << 9; // f * FEATURE_SLOTS; packed bins are the first BIN_SLOTS of them
      const missing = hist[base + MISSING_BIN];
      const hasMissing = missing !== 0;
      for (let pass = 0; pass < (hasMissing ? 2 : 1); pass++) {
        const missingLeft = pass === 1;
        let sum = missingLeft ? missing : 0;
        for (let b = 0; b < valueBins - (missingLeft ? 1 : 0); b++) {
          sum += hist[base + b];
          const gradInt = Math.floor(sum / scale);
          const hl = (sum - gradInt * scale) * hessStep;
          if (hl < minChildWeight) continue;
          const hr = H - hl;
          if (hr < minChildWeight) break;
          const gl = gradInt * gradStep;
          const gr = G - gl;
          const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            best = {
              feature: f,
              bin: b,
              missingLeft: hasMissing ? missingLeft : false,
              gain,
              leftGrad: gl,
              leftHess: hl,
              leftWeight: 0,
              rightWeight: 0,
            };
          }
        }
      }
    }
    return best;
  }

  /** The children's bounds: the parent's, split at the mean of their weights on a constrained feature. */
  private childBounds(bounds: Bounds, split: Split): [Bounds, Bounds] {
    const c = this.params.monotone?.[split.feature] ?? 0;
    if (c === 0) return [bounds, bounds];
    const mid = (split.leftWeight + split.rightWeight) / 2;
    return c > 0
      ? [
          { lower: bounds.lower, upper: mid },
          { lower: mid, upper: bounds.upper },
        ]
      : [
          { lower: mid, upper: bounds.upper },
          { lower: bounds.lower, upper: mid },
        ];
  }

  /**
   * findSplit under monotone constraints, XGBoost's evaluator: weights clamped into the node's
   * bounds, gain −(2Gw + (H+λ)w²) of the clamped weights (G²/(H+λ) when nothing clamps), and a
   * constrained feature's split refused when its children's weights go against the sign. A loop
   * of its own rather than a branch in findSplit: that one is the hot loop of every fit without
   * constraints, kept as it was (and its models byte for byte the same).
   */
  private findMonotoneSplit(
    node: GrowingNode,
    hist: Float64Array,
    features: Int32Array,
    monotone: Int8Array,
  ): Split | null {
    const { regLambda: lambda, minChildWeight } = this.params;
    const G = node.sumGrad;
    const H = node.sumHess;
    if (H < 2 * minChildWeight) return null;
    const { lower, upper } = node.bounds;
    const weightOf = (g: number, h: number): number => {
      const w = -g / (h + lambda);
      return w < lower ? lower : w > upper ? upper : w;
    };
    const gainOf = (g: number, h: number, w: number): number => -(2 * g * w + (h + lambda) * w * w);
    const parentScore = gainOf(G, H, weightOf(G, H));
    let best: Split | null = null;
    let bestGain = MIN_GAIN;
    for (let j = 0; j < features.length; j++) {
      const f = features[j];
      const c = monotone[f];
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
          const wl = weightOf(gl, hl);
          const wr = weightOf(gr, hr);
          if ((c > 0 && wl > wr) || (c < 0 && wl < wr)) continue;
          const gain = gainOf(gl, hl, wl) + gainOf(gr, hr, wr) - parentScore;
          if (gain > bestGain) {
            bestGain = gain;
            best = {
              feature: f,
              bin: b,
              missingLeft: hasMissing ? missingLeft : false,
              gain,
              leftGrad: gl,
              leftHess: hl,
              leftWeight: wl,
              rightWeight: wr,
            };
          }
        }
      }
    }
    return best;
  }
}
