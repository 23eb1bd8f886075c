/**
 * Feature contributions of one row to a compiled ensemble's output, in the space the ensemble
 * adds up in: per-class margins for boosting (before the softmax or sigmoid), class
 * probabilities for a forest (the mean of its trees' leaf distributions).
 *
 * Two methods, both as xgboost computes them, so their numbers can be checked against it:
 * - 'exact': path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, Algorithm 2; xgboost's
 *   pred_contribs). Each tree costs O(leaves x depth²).
 * - 'approx': the path attribution of Saabas (xgboost's approx_contribs): each split on the
 *   row's path credits its feature with the change in the expected value. O(depth) per tree.
 * Both are additive: the bias (the expected value over the training data, plus the base margin)
 * and the contributions sum to the ensemble's output for the row.
 *
 * The expected values and the paths not taken are weighted by each node's cover (the training
 * weight that reached it), which version 1 ensembles do not store: they cannot be explained.
 */
import { treeDepths, type CompiledEnsemble } from '../trees/compiled-ensemble.ts';

export type ExplainMethod = 'exact' | 'approx';
export const EXPLAIN_METHODS: readonly ExplainMethod[] = ['exact', 'approx'];

const NODE_WORDS = 4;
/** Trees walked together by the approx method. */
const LOCKSTEP = 8;

export class ExplainUnavailableError extends Error {
  override name = 'ExplainUnavailableError';
}

export interface Contributions {
  /** outputs x (features + 1): phi[o * (features + 1) + f], the bias of output o at f = features. */
  phi: Float64Array;
  outputs: number;
  features: number;
}

export class TreeExplainer {
  readonly outputs: number;
  readonly features: number;
  /** Values per leaf: the class distribution for a forest, one margin for boosting. */
  private readonly perLeaf: number;
  /** What each tree's leaves are multiplied by in the ensemble's sum: 1/trees for a forest. */
  private readonly scale: number;
  /** Per node and leaf value: the cover-weighted mean of the leaves below it. */
  private readonly meanValues: Float64Array;
  private readonly nodes: Int32Array;
  private readonly thresholds: Float32Array;
  private readonly covers: Float32Array;
  private readonly leafValues: Float32Array;
  private readonly roots: Int32Array;
  private readonly groups: Int32Array;
  private readonly baseMargin: Float64Array;
  // The unique path of the exact method: (depth + 2)(depth + 3)/2 elements for the deepest tree.
  private readonly pathFeature: Int32Array;
  private readonly pathZero: Float64Array;
  private readonly pathOne: Float64Array;
  private readonly pathWeight: Float64Array;
  private readonly leafScratch: Float64Array;
  private readonly walks = new Int32Array(LOCKSTEP);
  /** Per node and leaf value: its expected value minus its parent's, times scale (0 at roots). */
  private readonly gains: Float64Array;
  /** Per tree: its depth, the lockstep steps that reach every leaf. */
  private readonly depths: Int32Array;
  /** The row as the branch-free walk reads it: missing as -Infinity, then again as +Infinity. */
  private readonly row: Float32Array;

  constructor(ensemble: CompiledEnsemble) {
    const a = ensemble.arrays;
    if (!a.covers) throw new ExplainUnavailableError('this model was saved without node covers (ensemble format 1): train it again to explain its predictions');
    this.outputs = ensemble.outputs;
    this.features = ensemble.features;
    this.perLeaf = a.aggregation === 'mean' ? a.classes : 1;
    this.scale = a.aggregation === 'mean' ? 1 / Math.max(1, a.treeRoots.length) : 1;
    this.nodes = a.nodes;
    this.thresholds = new Float32Array(a.nodes.buffer, a.nodes.byteOffset, a.nodes.length);
    this.covers = a.covers;
    this.leafValues = a.leafValues;
    this.roots = a.treeRoots;
    this.groups = a.treeGroups;
    this.baseMargin = a.baseMargin;
    if (Array.from(a.treeRoots).some((root) => !(a.covers![root] > 0))) {
      throw new ExplainUnavailableError('this model has no node covers (an import without sum_hessian): its expected values are unknown');
    }
    this.meanValues = this.computeMeanValues();
    this.gains = this.computeGains();
    this.depths = treeDepths(a);
    this.row = new Float32Array(2 * this.features);
    const maxDepth = this.depths.reduce((deepest, d) => Math.max(deepest, d), 0);
    const pathSize = ((maxDepth + 2) * (maxDepth + 3)) / 2;
    this.pathFeature = new Int32Array(pathSize);
    this.pathZero = new Float64Array(pathSize);
    this.pathOne = new Float64Array(pathSize);
    this.pathWeight = new Float64Array(pathSize);
    this.leafScratch = new Float64Array(this.perLeaf);
  }

  /** The contributions of one row (`features` values from `offset`; NaN is missing). */
  explain(x: ArrayLike<number>, method: ExplainMethod, offset = 0): Contributions {
    const F = this.features;
    const phi = new Float64Array(this.outputs * (F + 1));
    for (let o = 0; o < this.outputs; o++) phi[o * (F + 1) + F] = this.baseMargin[o];
    for (let t = 0; t < this.roots.length; t++) {
      const root = this.roots[t];
      const first = this.perLeaf === 1 ? this.groups[t] : 0;
      for (let k = 0; k < this.perLeaf; k++) phi[(first + k) * (F + 1) + F] += this.meanValues[root * this.perLeaf + k] * this.scale;
      if (method === 'exact') this.treeShap(x, offset, phi, first, root, 0, 0, 1, 1, -1);
    }
    if (method === 'approx') this.saabas(x, offset, phi);
    return { phi, outputs: this.outputs, features: F };
  }

  /**
   * An upper bound of what the exact method costs per row, in path updates: leaves x (tree
   * depth)² summed over the trees (most leaves sit above the deepest one, so the real count is
   * lower: 3.5e8 bounds the shipped forest, measured at about 1.2e8, 0.4 s). The approx method
   * costs about the total depth.
   */
  exactCost(): number {
    let cost = 0;
    const count = this.nodes.length / NODE_WORDS;
    const leavesBelow = new Float64Array(count);
    for (let node = count - 1; node >= 0; node--) {
      const w = node * NODE_WORDS;
      leavesBelow[node] = this.nodes[w + 2] === node ? 1 : leavesBelow[this.nodes[w + 2]] + leavesBelow[this.nodes[w + 3]];
    }
    this.roots.forEach((root, t) => (cost += leavesBelow[root] * this.depths[t] * this.depths[t]));
    return cost;
  }

  /** The expected value (over the training data) of each output: what the contributions start from. */
  expectedValues(): Float64Array {
    const out = Float64Array.from(this.baseMargin);
    for (let t = 0; t < this.roots.length; t++) {
      const first = this.perLeaf === 1 ? this.groups[t] : 0;
      for (let k = 0; k < this.perLeaf; k++) out[first + k] += this.meanValues[this.roots[t] * this.perLeaf + k] * this.scale;
    }
    return out;
  }

  private isLeaf(node: number): boolean {
    return this.nodes[node * NODE_WORDS + 2] === node;
  }

  /** The child the row goes to: left when float32(x) < threshold, a missing value the default way. */
  private hotChild(x: ArrayLike<number>, offset: number, node: number): number {
    const w = node * NODE_WORDS;
    const slot = this.nodes[w];
    const defaultLeft = slot < this.features;
    const v = x[offset + (defaultLeft ? slot : slot - this.features)];
    const left = v !== v ? defaultLeft : Math.fround(v) < this.thresholds[w + 1];
    return this.nodes[w + (left ? 2 : 3)];
  }

  private splitFeature(node: number): number {
    const slot = this.nodes[node * NODE_WORDS];
    return slot < this.features ? slot : slot - this.features;
  }

  /**
   * Saabas: along the row's path in each tree, each split's feature gets the change of the
   * expected value (precomputed per node as `gains`). A walk waits on memory at every node (a
   * big forest does not fit in cache), so eight trees are walked in lockstep and without
   * branches, as prediction walks them (lib/trees/compiled-ensemble.ts): a missing value reads
   * -Infinity in the default-left slot and +Infinity in the default-right one, and a leaf
   * points to itself, so a walk that has arrived stays put and adds nothing.
   */
  private saabas(x: ArrayLike<number>, offset: number, phi: Float64Array): void {
    const F = this.features;
    const P = this.perLeaf;
    const { gains, nodes, thresholds, roots, walks, depths, row } = this;
    for (let f = 0; f < F; f++) {
      const v = x[offset + f];
      const missing = v !== v;
      row[f] = missing ? -Infinity : v;
      row[F + f] = missing ? Infinity : v;
    }
    for (let t = 0; t < roots.length; t += LOCKSTEP) {
      const count = Math.min(LOCKSTEP, roots.length - t);
      let steps = 0;
      for (let j = 0; j < count; j++) {
        walks[j] = roots[t + j];
        if (depths[t + j] > steps) steps = depths[t + j];
      }
      for (let d = 0; d < steps; d++) {
        for (let j = 0; j < count; j++) {
          const node = walks[j];
          const w = node * NODE_WORDS;
          const slot = nodes[w];
          const next = nodes[w + 3 - +(row[slot] < thresholds[w + 1])];
          if (next === node) continue;
          const column = (P === 1 ? this.groups[t + j] : 0) * (F + 1) + (slot < F ? slot : slot - F);
          for (let k = 0; k < P; k++) phi[column + k * (F + 1)] += gains[next * P + k];
          walks[j] = next;
        }
      }
    }
  }

  /**
   * xgboost's RegTree::TreeShap (condition 0): the unique path of the node starts right after
   * its parent's, at parentAt + depth + 1, so a recursion never overwrites its caller's path.
   */
  private treeShap(
    x: ArrayLike<number>,
    offset: number,
    phi: Float64Array,
    first: number,
    node: number,
    depth: number,
    parentAt: number,
    zeroFraction: number,
    oneFraction: number,
    feature: number,
  ): void {
    const at = parentAt + depth + 1;
    this.copyPath(parentAt, at, depth + 1);
    this.extendPath(at, depth, zeroFraction, oneFraction, feature);
    const F = this.features;
    if (this.isLeaf(node)) {
      const values = this.leafScratch;
      const from = this.nodes[node * NODE_WORDS + 1];
      for (let k = 0; k < this.perLeaf; k++) values[k] = this.leafValues[from + k] * this.scale;
      for (let i = 1; i <= depth; i++) {
        const w = this.unwoundPathSum(at, depth, i);
        const share = w * (this.pathOne[at + i] - this.pathZero[at + i]);
        const f = this.pathFeature[at + i];
        for (let k = 0; k < this.perLeaf; k++) phi[(first + k) * (F + 1) + f] += share * values[k];
      }
      return;
    }
    const hot = this.hotChild(x, offset, node);
    const w = node * NODE_WORDS;
    const cold = hot === this.nodes[w + 2] ? this.nodes[w + 3] : this.nodes[w + 2];
    const cover = this.covers[node];
    const hotZero = cover > 0 ? this.covers[hot] / cover : 0;
    const coldZero = cover > 0 ? this.covers[cold] / cover : 0;
    let incomingZero = 1;
    let incomingOne = 1;
    const split = this.splitFeature(node);
    // A feature split on before on this path: undo that extension and redo it here, merged.
    let pathIndex = 0;
    for (; pathIndex <= depth; pathIndex++) if (this.pathFeature[at + pathIndex] === split) break;
    let childDepth = depth;
    if (pathIndex !== depth + 1) {
      incomingZero = this.pathZero[at + pathIndex];
      incomingOne = this.pathOne[at + pathIndex];
      this.unwindPath(at, depth, pathIndex);
      childDepth -= 1;
    }
    this.treeShap(x, offset, phi, first, hot, childDepth + 1, at, hotZero * incomingZero, incomingOne, split);
    this.treeShap(x, offset, phi, first, cold, childDepth + 1, at, coldZero * incomingZero, 0, split);
  }

  private copyPath(from: number, to: number, count: number): void {
    this.pathFeature.copyWithin(to, from, from + count);
    this.pathZero.copyWithin(to, from, from + count);
    this.pathOne.copyWithin(to, from, from + count);
    this.pathWeight.copyWithin(to, from, from + count);
  }

  private extendPath(at: number, depth: number, zeroFraction: number, oneFraction: number, feature: number): void {
    const pw = this.pathWeight;
    this.pathFeature[at + depth] = feature;
    this.pathZero[at + depth] = zeroFraction;
    this.pathOne[at + depth] = oneFraction;
    pw[at + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      pw[at + i + 1] += (oneFraction * pw[at + i] * (i + 1)) / (depth + 1);
      pw[at + i] = (zeroFraction * pw[at + i] * (depth - i)) / (depth + 1);
    }
  }

  private unwindPath(at: number, depth: number, pathIndex: number): void {
    const pw = this.pathWeight;
    const oneFraction = this.pathOne[at + pathIndex];
    const zeroFraction = this.pathZero[at + pathIndex];
    let nextOnePortion = pw[at + depth];
    for (let i = depth - 1; i >= 0; i--) {
      if (oneFraction !== 0) {
        const tmp = pw[at + i];
        pw[at + i] = (nextOnePortion * (depth + 1)) / ((i + 1) * oneFraction);
        nextOnePortion = tmp - (pw[at + i] * zeroFraction * (depth - i)) / (depth + 1);
      } else {
        pw[at + i] = (pw[at + i] * (depth + 1)) / (zeroFraction * (depth - i));
      }
    }
    for (let i = pathIndex; i < depth; i++) {
      this.pathFeature[at + i] = this.pathFeature[at + i + 1];
      this.pathZero[at + i] = this.pathZero[at + i + 1];
      this.pathOne[at + i] = this.pathOne[at + i + 1];
    }
  }

  private unwoundPathSum(at: number, depth: number, pathIndex: number): number {
    const pw = this.pathWeight;
    const oneFraction = this.pathOne[at + pathIndex];
    const zeroFraction = this.pathZero[at + pathIndex];
    let nextOnePortion = pw[at + depth];
    let total = 0;
    for (let i = depth - 1; i >= 0; i--) {
      if (oneFraction !== 0) {
        const tmp = (nextOnePortion * (depth + 1)) / ((i + 1) * oneFraction);
        total += tmp;
        nextOnePortion = pw[at + i] - tmp * zeroFraction * ((depth - i) / (depth + 1));
      } else if (zeroFraction !== 0) {
        total += pw[at + i] / zeroFraction / ((depth - i) / (depth + 1));
      }
    }
    return total;
  }

  /** Children come after their parents, so one backward pass sees every child first. */
  private computeMeanValues(): Float64Array {
    const P = this.perLeaf;
    const count = this.nodes.length / NODE_WORDS;
    const mean = new Float64Array(count * P);
    for (let node = count - 1; node >= 0; node--) {
      const w = node * NODE_WORDS;
      if (this.nodes[w + 2] === node) {
        const from = this.nodes[w + 1];
        for (let k = 0; k < P; k++) mean[node * P + k] = this.leafValues[from + k];
        continue;
      }
      const left = this.nodes[w + 2];
      const right = this.nodes[w + 3];
      const cover = this.covers[node];
      for (let k = 0; k < P; k++) {
        mean[node * P + k] = cover > 0 ? (mean[left * P + k] * this.covers[left] + mean[right * P + k] * this.covers[right]) / cover : 0;
      }
    }
    return mean;
  }

  private computeGains(): Float64Array {
    const P = this.perLeaf;
    const gains = new Float64Array(this.meanValues.length);
    const count = this.nodes.length / NODE_WORDS;
    for (let node = 0; node < count; node++) {
      const w = node * NODE_WORDS;
      if (this.nodes[w + 2] === node) continue;
      for (const child of [this.nodes[w + 2], this.nodes[w + 3]]) {
        for (let k = 0; k < P; k++) gains[child * P + k] = (this.meanValues[child * P + k] - this.meanValues[node * P + k]) * this.scale;
      }
    }
    return gains;
  }
}
