/**
 * Path-dependent TreeSHAP values (the same numbers as Lundberg et al. 2018, Algorithm 2, and
 * xgboost's pred_contribs) in O(nodes x points) per tree, after Linear TreeSHAP (Yu, Bertsimas,
 * Liang et al., NeurIPS 2022), instead of Algorithm 2's O(leaves x depth²).
 *
 * For a leaf v whose path splits on the distinct features D (a feature split on twice counts
 * once, its splits merged), each j in D has p_j, the product of the cover ratios of its splits,
 * and s_j, 1 when the row goes the path's way at all of them. The path-dependent expectation of
 * the leaf given the known features S is value x prod_{S} s_j x prod_{D \ S} p_j, so with the
 * Shapley weights |S|!(d-|S|-1)!/d! = ∫0..1 t^|S| (1-t)^(d-1-|S|) dt, feature i gets
 *
 *   value x (s_i - p_i) x ∫0..1 F_v(t) / g_i(t) dt,   g_j(t) = p_j + (s_j - p_j) t,  F_v = prod_D g_j.
 *
 * The integrand is a polynomial of degree d - 1, so Gauss-Legendre with ceil(d / 2) points is
 * exact. Summed over the leaves below an edge e on feature i, the integrand is (sum of value x F_v)
 * / g_e: one bottom-up sum per node, evaluated at the points. When i was split on above e too,
 * the leaves below e were also counted at that earlier edge with its older g; e's term subtracts
 * them again (pointwise the two terms cancel exactly), so each leaf counts at the last split of
 * each feature, with the merged p and s, as Algorithm 2 merges them.
 *
 * A subtree whose merged factor is 0 everywhere (a child of cover 0 off the row's way) adds
 * nothing to any feature and is skipped.
 */
import { gaussLegendre } from './gauss-legendre.ts';
import type { ShapForest } from './shap-forest.ts';

const NODE_WORDS = 4;

export class LinearTreeShap {
  private readonly forest: ShapForest;
  /** Per node: p of the split into it, merged with the earlier splits on its feature on the path (1 at roots). */
  private readonly edgeP: Float64Array;
  /** Per node: the depth of the previous split on the same feature on its path, -1 when none. */
  private readonly previousDepth: Int32Array;
  /** Per tree: its quadrature points, ceil(most distinct features on a path / 2). */
  private readonly treePoints: Int32Array;
  /** Points and weights of every size used, size n from offset n(n-1)/2. */
  private readonly points: Float64Array;
  private readonly weights: Float64Array;
  private readonly stride: number;
  // Scratch per depth (nothing allocated per row): the state of the path down to each depth.
  private readonly product: Float64Array;
  private readonly edgeWeights: Float64Array;
  private readonly sums: Float64Array;
  private readonly mergedS: Uint8Array;
  private readonly mergedP: Float64Array;
  private phi: Float64Array = new Float64Array(0);
  private row: Float32Array = new Float32Array(0);
  private at = 0;
  private n = 0;
  private first = 0;

  constructor(forest: ShapForest) {
    this.forest = forest;
    const count = forest.nodes.length / NODE_WORDS;
    this.edgeP = new Float64Array(count);
    this.previousDepth = new Int32Array(count).fill(-1);
    this.treePoints = new Int32Array(forest.roots.length);
    let maxDepth = 0;
    let maxPoints = 1;
    const lastDepth = new Int32Array(forest.features).fill(-1);
    const pathNodes: number[] = [];
    forest.roots.forEach((root, t) => {
      this.edgeP[root] = 1;
      const shape = this.precompute(root, 0, 0, lastDepth, pathNodes);
      maxDepth = Math.max(maxDepth, shape.depth);
      this.treePoints[t] = Math.max(1, Math.ceil(shape.distinct / 2));
      maxPoints = Math.max(maxPoints, this.treePoints[t]);
    });
    this.stride = maxPoints;
    this.points = new Float64Array((maxPoints * (maxPoints + 1)) / 2);
    this.weights = new Float64Array(this.points.length);
    for (let n = 1; n <= maxPoints; n++) {
      const q = gaussLegendre(n);
      this.points.set(q.points, (n * (n - 1)) / 2);
      this.weights.set(q.weights, (n * (n - 1)) / 2);
    }
    const levels = maxDepth + 1;
    this.product = new Float64Array(levels * maxPoints);
    this.edgeWeights = new Float64Array(levels * maxPoints);
    this.sums = new Float64Array(levels * forest.perLeaf * maxPoints);
    this.mergedS = new Uint8Array(levels);
    this.mergedP = new Float64Array(levels);
  }

  /** Bytes kept per ensemble for this method (the per-node precomputation and the scratch). */
  get bytes(): number {
    return [this.edgeP, this.previousDepth, this.treePoints, this.points, this.weights, this.product, this.edgeWeights, this.sums, this.mergedS, this.mergedP].reduce((s, a) => s + a.byteLength, 0);
  }

  /**
   * Adds the row's contributions to phi (outputs x (features + 1)). The row is read as the
   * branch-free walk reads it: 2 x features float32s, missing as -Infinity then as +Infinity.
   */
  add(row: Float32Array, phi: Float64Array): void {
    const { nodes, roots, firstOutputs } = this.forest;
    this.phi = phi;
    this.row = row;
    for (let t = 0; t < roots.length; t++) {
      const root = roots[t];
      if (nodes[root * NODE_WORDS + 2] === root) continue; // a single leaf: all of it is bias
      this.n = this.treePoints[t];
      this.at = (this.n * (this.n - 1)) / 2;
      this.first = firstOutputs[t];
      this.product.fill(1, 0, this.n);
      this.visit(root, 0);
    }
  }

  /** Fills sums at depth d with the node's sum over its leaves of value x F_v, at each point. */
  private visit(node: number, d: number): void {
    const { nodes, leafValues, perLeaf: P, features: F, scale } = this.forest;
    const { product, sums, edgeWeights, mergedS, mergedP, points, weights, stride: M, n, at } = this;
    const w = node * NODE_WORDS;
    const base = d * P * M;
    if (nodes[w + 2] === node) {
      const from = nodes[w + 1];
      for (let k = 0; k < P; k++) {
        const value = leafValues[from + k] * scale;
        for (let q = 0; q < n; q++) sums[base + k * M + q] = value * product[d * M + q];
      }
      return;
    }
    const slot = nodes[w];
    const feature = slot < F ? slot : slot - F;
    const goesLeft = this.row[slot] < this.forest.thresholds[w + 1];
    for (let k = 0; k < P; k++) for (let q = 0; q < n; q++) sums[base + k * M + q] = 0;
    const child = d + 1;
    const childBase = child * P * M;
    for (let side = 0; side < 2; side++) {
      const next = nodes[w + 2 + side];
      const previous = this.previousDepth[next];
      let s = (side === 0) === goesLeft ? 1 : 0;
      if (previous >= 0) s &= mergedS[previous];
      const p = this.edgeP[next];
      if (p === 0 && s === 0) continue;
      mergedS[child] = s;
      mergedP[child] = p;
      const oldS = previous >= 0 ? mergedS[previous] : 0;
      const oldP = previous >= 0 ? mergedP[previous] : 0;
      for (let q = 0; q < n; q++) {
        const t = points[at + q];
        const g = p + (s - p) * t;
        const old = previous >= 0 ? oldP + (oldS - oldP) * t : 1;
        product[child * M + q] = (product[d * M + q] * g) / old;
        edgeWeights[child * M + q] = weights[at + q] * ((s - p) / g - (previous >= 0 ? (oldS - oldP) / old : 0));
      }
      this.visit(next, child);
      for (let k = 0; k < P; k++) {
        let total = 0;
        for (let q = 0; q < n; q++) {
          const v = sums[childBase + k * M + q];
          total += edgeWeights[child * M + q] * v;
          sums[base + k * M + q] += v;
        }
        this.phi[(this.first + k) * (F + 1) + feature] += total;
      }
    }
  }

  /** Fills edgeP and previousDepth below `node`; returns the tree's depth and most distinct features on a path. */
  private precompute(node: number, depth: number, distinct: number, lastDepth: Int32Array, pathNodes: number[]): { depth: number; distinct: number } {
    const { nodes, covers, features: F } = this.forest;
    const w = node * NODE_WORDS;
    pathNodes[depth] = node;
    if (nodes[w + 2] === node) return { depth, distinct };
    const slot = nodes[w];
    const feature = slot < F ? slot : slot - F;
    const earlier = lastDepth[feature];
    const shape = { depth, distinct };
    for (const next of [nodes[w + 2], nodes[w + 3]]) {
      const ratio = covers[node] > 0 ? covers[next] / covers[node] : 0;
      this.previousDepth[next] = earlier;
      this.edgeP[next] = earlier >= 0 ? this.edgeP[pathNodes[earlier]] * ratio : ratio;
      lastDepth[feature] = depth + 1;
      const below = this.precompute(next, depth + 1, distinct + (earlier >= 0 ? 0 : 1), lastDepth, pathNodes);
      shape.depth = Math.max(shape.depth, below.depth);
      shape.distinct = Math.max(shape.distinct, below.distinct);
    }
    lastDepth[feature] = earlier;
    return shape;
  }
}
