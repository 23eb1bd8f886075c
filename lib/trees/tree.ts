/**
 * A tree as the builders grow it: parallel arrays of nodes with explicit children.
 * Leaves have feature -1 and keep their output in `leafValues` starting at `left[node]`.
 * The compiled ensemble concatenates these arrays; nothing here is used on the hot path.
 */
export class Tree {
  readonly feature: number[] = [];
  readonly threshold: number[] = [];
  /** Split bin (bins <= splitBin go left), used to route training rows without thresholds. */
  readonly splitBin: number[] = [];
  readonly left: number[] = [];
  readonly right: number[] = [];
  readonly defaultLeft: number[] = [];
  readonly leafValues: number[] = [];
  /**
   * Per node: the training weight that reached it (a forest's bootstrap count, boosting's
   * hessian sum, XGBoost's sum_hessian). TreeSHAP weighs the paths not taken by it.
   */
  readonly cover: number[] = [];

  constructor(
    /** Values per leaf: the class distribution for a forest, one score for boosting. */
    readonly outputsPerLeaf: number,
  ) {}

  get size(): number {
    return this.feature.length;
  }

  /** Adds a placeholder node and returns its index. */
  addNode(): number {
    this.feature.push(-1);
    this.threshold.push(0);
    this.splitBin.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.defaultLeft.push(0);
    this.cover.push(0);
    return this.feature.length - 1;
  }

  setSplit(node: number, feature: number, bin: number, threshold: number, defaultLeft: boolean, left: number, right: number): void {
    this.feature[node] = feature;
    this.splitBin[node] = bin;
    this.threshold[node] = threshold;
    this.defaultLeft[node] = defaultLeft ? 1 : 0;
    this.left[node] = left;
    this.right[node] = right;
  }

  setCover(node: number, cover: number): void {
    this.cover[node] = cover;
  }

  setLeaf(node: number, values: ArrayLike<number>): void {
    this.feature[node] = -1;
    this.left[node] = this.leafValues.length;
    this.right[node] = -1;
    for (let k = 0; k < this.outputsPerLeaf; k++) this.leafValues.push(values[k]);
  }
}
