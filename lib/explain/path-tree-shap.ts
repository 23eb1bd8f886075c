/**
 * Path-dependent TreeSHAP as Lundberg, Erion & Lee 2018 wrote it (Algorithm 2) and xgboost runs
 * it (RegTree::TreeShap, condition 0): O(leaves x depth²) per tree. Kept as the reference the
 * faster Linear TreeSHAP (linear-tree-shap.ts) is checked against to 1e-9; serving does not use
 * it (on the shipped forest, 622k nodes 33 deep, it took about 0.4 s a row).
 */
import type { ShapForest } from './shap-forest.ts';

const NODE_WORDS = 4;

export class PathTreeShap {
  private readonly forest: ShapForest;
  // The unique path: (depth + 2)(depth + 3)/2 elements for the deepest tree.
  private readonly pathFeature: Int32Array;
  private readonly pathZero: Float64Array;
  private readonly pathOne: Float64Array;
  private readonly pathWeight: Float64Array;
  private readonly leafScratch: Float64Array;

  constructor(forest: ShapForest, maxDepth: number) {
    this.forest = forest;
    const pathSize = ((maxDepth + 2) * (maxDepth + 3)) / 2;
    this.pathFeature = new Int32Array(pathSize);
    this.pathZero = new Float64Array(pathSize);
    this.pathOne = new Float64Array(pathSize);
    this.pathWeight = new Float64Array(pathSize);
    this.leafScratch = new Float64Array(forest.perLeaf);
  }

  /** Adds the contributions of the row (`features` values from `offset`; NaN is missing) to phi. */
  add(x: ArrayLike<number>, offset: number, phi: Float64Array): void {
    const { roots, firstOutputs } = this.forest;
    for (let t = 0; t < roots.length; t++) this.treeShap(x, offset, phi, firstOutputs[t], roots[t], 0, 0, 1, 1, -1);
  }

  /** The child the row goes to: left when float32(x) < threshold, a missing value the default way. */
  private hotChild(x: ArrayLike<number>, offset: number, node: number): number {
    const { nodes, thresholds, features } = this.forest;
    const w = node * NODE_WORDS;
    const slot = nodes[w];
    const defaultLeft = slot < features;
    const v = x[offset + (defaultLeft ? slot : slot - features)];
    const left = v !== v ? defaultLeft : Math.fround(v) < thresholds[w + 1];
    return nodes[w + (left ? 2 : 3)];
  }

  /** The unique path of the node starts right after its parent's, at parentAt + depth + 1, so a recursion never overwrites its caller's path. */
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
    const { nodes, covers, leafValues, perLeaf, scale, features: F } = this.forest;
    const at = parentAt + depth + 1;
    this.copyPath(parentAt, at, depth + 1);
    this.extendPath(at, depth, zeroFraction, oneFraction, feature);
    const w = node * NODE_WORDS;
    if (nodes[w + 2] === node) {
      const values = this.leafScratch;
      const from = nodes[w + 1];
      for (let k = 0; k < perLeaf; k++) values[k] = leafValues[from + k] * scale;
      for (let i = 1; i <= depth; i++) {
        const weight = this.unwoundPathSum(at, depth, i);
        const share = weight * (this.pathOne[at + i] - this.pathZero[at + i]);
        const f = this.pathFeature[at + i];
        for (let k = 0; k < perLeaf; k++) phi[(first + k) * (F + 1) + f] += share * values[k];
      }
      return;
    }
    const hot = this.hotChild(x, offset, node);
    const cold = hot === nodes[w + 2] ? nodes[w + 3] : nodes[w + 2];
    const cover = covers[node];
    const hotZero = cover > 0 ? covers[hot] / cover : 0;
    const coldZero = cover > 0 ? covers[cold] / cover : 0;
    let incomingZero = 1;
    let incomingOne = 1;
    const slot = nodes[w];
    const split = slot < F ? slot : slot - F;
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
}
