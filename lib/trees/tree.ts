/**
 * A tree as the builders grow it: parallel arrays of nodes with explicit children.
 * Leaves have feature -1 and keep their output in `leafValues` starting at `left[node]`.
 * The compiled ensemble concatenates these arrays; nothing here is used on the hot path.
 *
 * The arrays are typed and grow by doubling: a forest adds millions of nodes, and pushing onto
 * JavaScript arrays took about a tenth of a forest's fit (profile). They may be longer than the
 * tree: `size` nodes and `leafValueCount` leaf values are in use. A grown array replaces the
 * field, so read the fields after adding nodes, not before.
 */
export class Tree {
  feature: Int32Array;
  threshold: Float64Array;
  /** Split bin (bins <= splitBin go left), used to route training rows without thresholds. */
  splitBin: Int32Array;
  left: Int32Array;
  right: Int32Array;
  defaultLeft: Uint8Array;
  /**
   * Per node: the training weight that reached it (a forest's bootstrap count, boosting's
   * hessian sum, XGBoost's sum_hessian). TreeSHAP weighs the paths not taken by it.
   */
  cover: Float64Array;
  leafValues: Float64Array;
  size = 0;
  leafValueCount = 0;

  constructor(
    /** Values per leaf: the class distribution for a forest, one score for boosting. */
    readonly outputsPerLeaf: number,
    capacity = 31,
  ) {
    this.feature = new Int32Array(capacity);
    this.threshold = new Float64Array(capacity);
    this.splitBin = new Int32Array(capacity);
    this.left = new Int32Array(capacity);
    this.right = new Int32Array(capacity);
    this.defaultLeft = new Uint8Array(capacity);
    this.cover = new Float64Array(capacity);
    this.leafValues = new Float64Array(capacity * outputsPerLeaf);
  }

  /** Adds a placeholder node (a leaf-to-be with no value yet) and returns its index. */
  addNode(): number {
    if (this.size === this.feature.length) this.growNodes(2 * this.size + 1);
    const node = this.size++;
    this.feature[node] = -1;
    this.threshold[node] = 0;
    this.splitBin[node] = 0;
    this.left[node] = -1;
    this.right[node] = -1;
    this.defaultLeft[node] = 0;
    this.cover[node] = 0;
    return node;
  }

  setSplit(
    node: number,
    feature: number,
    bin: number,
    threshold: number,
    defaultLeft: boolean,
    left: number,
    right: number,
  ): void {
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
    const from = this.leafValueCount;
    const K = this.outputsPerLeaf;
    if (from + K > this.leafValues.length) this.leafValues = grown(this.leafValues, 2 * this.leafValues.length + K);
    this.feature[node] = -1;
    this.left[node] = from;
    this.right[node] = -1;
    for (let k = 0; k < K; k++) this.leafValues[from + k] = values[k];
    this.leafValueCount = from + K;
  }

  /** Replaces the leaf values (a tree read back field for field: leaves already point into them). */
  setLeafValues(values: ArrayLike<number>): void {
    this.leafValues = Float64Array.from(values);
    this.leafValueCount = values.length;
  }

  /**
   * Puts `subtree` (its node 0 becoming `node`, a placeholder) into this tree: its other nodes
   * are added here, children and leaf values renumbered. A tree grown in parts on several
   * threads is then the tree grown whole, but for the numbering of its nodes, which nothing
   * reads (the ensemble lays nodes out by walking from the root).
   */
  graft(node: number, subtree: Tree): void {
    const at = new Int32Array(subtree.size);
    at[0] = node;
    for (let i = 1; i < subtree.size; i++) at[i] = this.addNode();
    for (let i = 0; i < subtree.size; i++) {
      this.setCover(at[i], subtree.cover[i]);
      if (subtree.feature[i] < 0) {
        this.setLeaf(at[i], subtree.leafValues.subarray(subtree.left[i], subtree.left[i] + this.outputsPerLeaf));
      } else {
        this.setSplit(
          at[i],
          subtree.feature[i],
          subtree.splitBin[i],
          subtree.threshold[i],
          subtree.defaultLeft[i] === 1,
          at[subtree.left[i]],
          at[subtree.right[i]],
        );
      }
    }
  }

  private growNodes(capacity: number): void {
    this.feature = grown(this.feature, capacity);
    this.threshold = grown(this.threshold, capacity);
    this.splitBin = grown(this.splitBin, capacity);
    this.left = grown(this.left, capacity);
    this.right = grown(this.right, capacity);
    this.defaultLeft = grown(this.defaultLeft, capacity);
    this.cover = grown(this.cover, capacity);
  }
}

function grown<T extends Int32Array | Float64Array | Uint8Array>(values: T, capacity: number): T {
  const next = new (values.constructor as new (length: number) => T)(capacity);
  next.set(values);
  return next;
}
