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
  /** Per node: the one output all leaves below it add to (all values of the others 0), -1 when several. */
  private readonly onlyOutput: Int32Array;
  /** Per tree: its quadrature points, ceil(most distinct features on a path / 2). */
  private readonly treePoints: Int32Array;
  /** Points and weights of every size used, size n from offset n(n-1)/2. */
  private readonly points: Float64Array;
  private readonly weights: Float64Array;
  /** weight / (1 - point): minus the edge weight of a split first seen on the path, off the row's way. */
  private readonly coldWeights: Float64Array;
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
    this.onlyOutput = this.outputsBelow();
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
    this.coldWeights = new Float64Array(this.points.length);
    for (let n = 1; n <= maxPoints; n++) {
      const q = gaussLegendre(n);
      this.points.set(q.points, (n * (n - 1)) / 2);
      this.weights.set(q.weights, (n * (n - 1)) / 2);
      q.weights.forEach((weight, i) => (this.coldWeights[(n * (n - 1)) / 2 + i] = -weight / (1 - q.points[i])));
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
    return [
      this.edgeP,
      this.previousDepth,
      this.onlyOutput,
      this.treePoints,
      this.points,
      this.weights,
      this.coldWeights,
      this.product,
      this.edgeWeights,
      this.sums,
      this.mergedS,
      this.mergedP,
    ].reduce((s, a) => s + a.byteLength, 0);
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

  /**
   * Fills sums at depth d with the sum over the leaves below the (split) node of value x F_v, at
   * each point, and adds each child edge's term to phi. A leaf child is done in place (half the
   * nodes are leaves): its sum is value x the product down to it, its term value x one dot product.
   * A subtree whose leaves all add to one output (every subtree of a fully grown forest's pure
   * leaves, all of boosting's) keeps one sum, for that output, in its first slot.
   */
  private visit(node: number, d: number): void {
    const { nodes, leafValues, thresholds, perLeaf: P, features: F, scale } = this.forest;
    const {
      product,
      sums,
      edgeWeights,
      mergedS,
      mergedP,
      points,
      weights,
      coldWeights,
      onlyOutput,
      stride: M,
      n,
      at,
      phi,
    } = this;
    const w = node * NODE_WORDS;
    const base = d * P * M;
    const slot = nodes[w];
    const column = this.first * (F + 1) + (slot < F ? slot : slot - F);
    const goesLeft = this.row[slot] < thresholds[w + 1];
    const child = d + 1;
    const childBase = child * P * M;
    const here = d * M;
    const below = child * M;
    const mixed = onlyOutput[node] < 0;
    if (mixed) sums.fill(0, base, base + P * M);
    let filled = mixed;
    for (let side = 0; side < 2; side++) {
      const next = nodes[w + 2 + side];
      const previous = this.previousDepth[next];
      let s = (side === 0) === goesLeft ? 1 : 0;
      if (previous >= 0) s &= mergedS[previous];
      const p = this.edgeP[next];
      if (p === 0 && s === 0) continue;
      if (previous >= 0) {
        // The feature's factor so far is replaced by the merged one: divide the old one out.
        const oldS = mergedS[previous];
        const oldP = mergedP[previous];
        for (let q = 0; q < n; q++) {
          const t = points[at + q];
          const g = p + (s - p) * t;
          const old = oldP + (oldS - oldP) * t;
          product[below + q] = (product[here + q] * g) / old;
          edgeWeights[below + q] = weights[at + q] * ((s - p) / g - (oldS - oldP) / old);
        }
      } else if (s === 0) {
        // g = p (1 - t), so (s - p) / g = -1 / (1 - t), the same for every such edge.
        for (let q = 0; q < n; q++) {
          product[below + q] = product[here + q] * p * (1 - points[at + q]);
          edgeWeights[below + q] = coldWeights[at + q];
        }
      } else {
        const gain = 1 - p;
        for (let q = 0; q < n; q++) {
          const g = p + gain * points[at + q];
          product[below + q] = product[here + q] * g;
          edgeWeights[below + q] = (weights[at + q] * gain) / g;
        }
      }
      const only = onlyOutput[next];
      const nw = next * NODE_WORDS;
      if (nodes[nw + 2] === next) {
        let dot = 0;
        for (let q = 0; q < n; q++) dot += edgeWeights[below + q] * product[below + q];
        const from = nodes[nw + 1];
        for (let k = only < 0 ? 0 : only; k < (only < 0 ? P : only + 1); k++) {
          const value = leafValues[from + k] * scale;
          phi[column + k * (F + 1)] += value * dot;
          const to = base + (mixed ? k * M : 0);
          if (filled) for (let q = 0; q < n; q++) sums[to + q] += value * product[below + q];
          else for (let q = 0; q < n; q++) sums[to + q] = value * product[below + q];
        }
      } else {
        mergedS[child] = s;
        mergedP[child] = p;
        this.visit(next, child);
        for (let k = only < 0 ? 0 : only; k < (only < 0 ? P : only + 1); k++) {
          const from = childBase + (only < 0 ? k * M : 0);
          const to = base + (mixed ? k * M : 0);
          let total = 0;
          for (let q = 0; q < n; q++) total += edgeWeights[below + q] * sums[from + q];
          phi[column + k * (F + 1)] += total;
          if (filled) for (let q = 0; q < n; q++) sums[to + q] += sums[from + q];
          else for (let q = 0; q < n; q++) sums[to + q] = sums[from + q];
        }
      }
      filled = true;
    }
    if (!filled) sums.fill(0, base, base + M);
  }

  /** Children come after their parents, so one backward pass sees every child first. */
  private outputsBelow(): Int32Array {
    const { nodes, leafValues, perLeaf: P } = this.forest;
    const only = new Int32Array(nodes.length / NODE_WORDS);
    for (let node = only.length - 1; node >= 0; node--) {
      const w = node * NODE_WORDS;
      if (nodes[w + 2] !== node) {
        const left = only[nodes[w + 2]];
        only[node] = left >= 0 && left === only[nodes[w + 3]] ? left : -1;
        continue;
      }
      let nonZero = 0;
      let found = 0;
      for (let k = 0; k < P; k++) {
        if (leafValues[nodes[w + 1] + k] === 0) continue;
        nonZero++;
        found = k;
      }
      only[node] = nonZero > 1 ? -1 : found;
    }
    return only;
  }

  /** Fills edgeP and previousDepth below `node`; returns the tree's depth and most distinct features on a path. */
  private precompute(
    node: number,
    depth: number,
    distinct: number,
    lastDepth: Int32Array,
    pathNodes: number[],
  ): { depth: number; distinct: number } {
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
