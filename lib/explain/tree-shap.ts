/**
 * Feature contributions of one row to a compiled ensemble's output, in the space the ensemble
 * adds up in: per-class margins for boosting (before the softmax or sigmoid), class
 * probabilities for a forest (the mean of its trees' leaf distributions).
 *
 * Two methods, both as xgboost computes them, so their numbers can be checked against it:
 * - 'exact': path-dependent TreeSHAP (Lundberg, Erion & Lee 2018; xgboost's pred_contribs),
 *   computed by Linear TreeSHAP (linear-tree-shap.ts): each tree costs O(nodes x depth / 2).
 * - 'approx': the path attribution of Saabas (xgboost's approx_contribs): each split on the
 *   row's path credits its feature with the change in the expected value. O(depth) per tree
 *   (saabas.ts).
 * Both are additive: the bias (the expected value over the training data, plus the base margin)
 * and the contributions sum to the ensemble's output for the row.
 *
 * The expected values and the paths not taken are weighted by each node's cover (the training
 * weight that reached it), which version 1 ensembles do not store: they cannot be explained.
 */
import { treeDepths, type CompiledEnsemble } from '../trees/compiled-ensemble.ts';
import { LinearTreeShap } from './linear-tree-shap.ts';
import { SaabasWalk } from './saabas.ts';
import { shapForest } from './shap-forest.ts';

export { ExplainUnavailableError } from './shap-forest.ts';

export type ExplainMethod = 'exact' | 'approx';
export const EXPLAIN_METHODS: readonly ExplainMethod[] = ['exact', 'approx'];

const NODE_WORDS = 4;

export interface Contributions {
  /** outputs x (features + 1): phi[o * (features + 1) + f], the bias of output o at f = features. */
  phi: Float64Array;
  outputs: number;
  features: number;
}

export class TreeExplainer {
  readonly outputs: number;
  readonly features: number;
  private readonly nodes: Int32Array;
  private readonly roots: Int32Array;
  /** The exact method, with its per-node precomputation (12 bytes a node). */
  private readonly linear: LinearTreeShap;
  /** The approx method, with its per-node records (saabas.ts). */
  private readonly saabas: SaabasWalk;
  /** Per tree: its depth, the lockstep steps that reach every leaf. */
  private readonly depths: Int32Array;
  /** The row as the branch-free walk reads it: missing as -Infinity, then again as +Infinity. */
  private readonly row: Float32Array;

  constructor(ensemble: CompiledEnsemble) {
    const forest = shapForest(ensemble);
    const a = ensemble.arrays;
    this.outputs = ensemble.outputs;
    this.features = ensemble.features;
    this.nodes = a.nodes;
    this.roots = a.treeRoots;
    this.depths = treeDepths(a);
    this.row = new Float32Array(2 * this.features);
    this.saabas = new SaabasWalk(forest, this.depths, a.baseMargin);
    this.linear = new LinearTreeShap(forest);
  }

  /** The contributions of one row (`features` values from `offset`; NaN is missing). */
  explain(x: ArrayLike<number>, method: ExplainMethod, offset = 0): Contributions {
    const F = this.features;
    const phi = new Float64Array(this.outputs * (F + 1));
    const bias = this.saabas.bias;
    for (let o = 0; o < this.outputs; o++) phi[o * (F + 1) + F] = bias[o];
    this.fillRow(x, offset);
    if (method === 'approx') this.saabas.add(this.row, phi);
    else this.linear.add(this.row, phi);
    return { phi, outputs: this.outputs, features: F };
  }

  /**
   * The approx contributions of one row, as explain(x, 'approx', offset) gives them, and where
   * each tree's leaf values start in `leaves` (one per tree): what the ensemble's prediction of the
   * row adds up (CompiledEnsemble.probaOfLeaves), so prediction and reasons walk each tree once.
   */
  approxWithLeaves(x: ArrayLike<number>, offset: number, leaves: Int32Array): Contributions {
    if (leaves.length < this.roots.length)
      throw new Error(`${leaves.length} leaf slots for ${this.roots.length} trees`);
    const F = this.features;
    const phi = new Float64Array(this.outputs * (F + 1));
    const bias = this.saabas.bias;
    for (let o = 0; o < this.outputs; o++) phi[o * (F + 1) + F] = bias[o];
    this.fillRow(x, offset);
    this.saabas.add(this.row, phi, leaves);
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
      leavesBelow[node] =
        this.nodes[w + 2] === node ? 1 : leavesBelow[this.nodes[w + 2]] + leavesBelow[this.nodes[w + 3]];
    }
    this.roots.forEach((root, t) => (cost += leavesBelow[root] * this.depths[t] * this.depths[t]));
    return cost;
  }

  /** The expected value (over the training data) of each output: what the contributions start from. */
  expectedValues(): Float64Array {
    return Float64Array.from(this.saabas.bias);
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
}
