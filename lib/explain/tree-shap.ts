/**
 * Feature contributions of one row to a compiled ensemble's output, in the space the ensemble
 * adds up in: per-class margins for boosting (before the softmax or sigmoid), class
 * probabilities for a forest (the mean of its trees' leaf distributions).
 *
 * Two methods, both as xgboost computes them, so their numbers can be checked against it:
 * - 'exact': path-dependent TreeSHAP (Lundberg, Erion & Lee 2018; xgboost's pred_contribs),
 *   computed by Linear TreeSHAP (linear-tree-shap.ts): each tree costs O(nodes x depth / 2).
 * - 'approx': the path attribution of Saabas (xgboost's approx_contribs): each split on the
 *   row's path credits its feature with the change in the expected value. O(depth) per tree.
 * Both are additive: the bias (the expected value over the training data, plus the base margin)
 * and the contributions sum to the ensemble's output for the row.
 *
 * The expected values and the paths not taken are weighted by each node's cover (the training
 * weight that reached it), which version 1 ensembles do not store: they cannot be explained.
 */
import { treeDepths, type CompiledEnsemble } from '../trees/compiled-ensemble.ts';
import { LinearTreeShap } from './linear-tree-shap.ts';
import { shapForest } from './shap-forest.ts';

export { ExplainUnavailableError } from './shap-forest.ts';

export type ExplainMethod = 'exact' | 'approx';
export const EXPLAIN_METHODS: readonly ExplainMethod[] = ['exact', 'approx'];

const NODE_WORDS = 4;
/** Trees walked together by the approx method. */
const LOCKSTEP = 8;

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
  /** The exact method, with its per-node precomputation (12 bytes a node). */
  private readonly linear: LinearTreeShap;
  private readonly walks = new Int32Array(LOCKSTEP);
  /** Per node and leaf value: its expected value minus its parent's, times scale (0 at roots). */
  private readonly gains: Float64Array;
  /** Per tree: its depth, the lockstep steps that reach every leaf. */
  private readonly depths: Int32Array;
  /** The row as the branch-free walk reads it: missing as -Infinity, then again as +Infinity. */
  private readonly row: Float32Array;

  constructor(ensemble: CompiledEnsemble) {
    const forest = shapForest(ensemble);
    const a = ensemble.arrays;
    this.outputs = ensemble.outputs;
    this.features = ensemble.features;
    this.perLeaf = a.aggregation === 'mean' ? a.classes : 1;
    this.scale = a.aggregation === 'mean' ? 1 / Math.max(1, a.treeRoots.length) : 1;
    this.nodes = a.nodes;
    this.thresholds = new Float32Array(a.nodes.buffer, a.nodes.byteOffset, a.nodes.length);
    this.covers = forest.covers;
    this.leafValues = a.leafValues;
    this.roots = a.treeRoots;
    this.groups = a.treeGroups;
    this.baseMargin = a.baseMargin;
    this.meanValues = this.computeMeanValues();
    this.gains = this.computeGains();
    this.depths = treeDepths(a);
    this.row = new Float32Array(2 * this.features);
    this.linear = new LinearTreeShap(forest);
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
    }
    this.fillRow(x, offset);
    if (method === 'approx') this.saabas(phi);
    else this.linear.add(this.row, phi);
    return { phi, outputs: this.outputs, features: F };
  }

  /**
   * An upper bound of what Algorithm 2 (path-tree-shap.ts) would cost per row, in path updates:
   * leaves x (tree depth)² summed over the trees (3.5e8 bounds the shipped forest, measured at
   * about 1.2e8, 0.4 s). Serving's exact budget (EXACT_ROW_BUDGET) is calibrated in these units,
   * so it stays the measure until that budget is recalibrated; the exact method now runs Linear
   * TreeSHAP, which costs nodes x ceil(distinct features on a path / 2) (7.2e6 on the shipped
   * forest). The approx method costs about the total depth.
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

  /** The row as both walks read it: missing as -Infinity in the first copy, +Infinity in the second. */
  private fillRow(x: ArrayLike<number>, offset: number): void {
    const F = this.features;
    for (let f = 0; f < F; f++) {
      const v = x[offset + f];
      const missing = v !== v;
      this.row[f] = missing ? -Infinity : v;
      this.row[F + f] = missing ? Infinity : v;
    }
  }

  /**
   * Saabas: along the row's path in each tree, each split's feature gets the change of the
   * expected value (precomputed per node as `gains`). A walk waits on memory at every node (a
   * big forest does not fit in cache), so eight trees are walked in lockstep and without
   * branches, as prediction walks them (lib/trees/compiled-ensemble.ts): a missing value reads
   * -Infinity in the default-left slot and +Infinity in the default-right one, and a leaf
   * points to itself, so a walk that has arrived stays put and adds nothing.
   */
  private saabas(phi: Float64Array): void {
    const F = this.features;
    const P = this.perLeaf;
    const { gains, nodes, thresholds, roots, walks, depths, row } = this;
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
