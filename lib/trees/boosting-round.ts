/**
 * One round's trees, whoever grows them: the rows and features each output's tree is grown on
 * (drawn by the fitting thread, in output order, so the random stream is the same for any
 * number of threads), and growing one tree with the margins it moves. A round's trees depend
 * on its gradients only, not on each other, so threads can grow them side by side.
 */
import { MISSING_BIN as MISSING_BIN_EXPORT, type BinnedMatrix } from './binning.ts';
import type { GradientTreeBuilder, OnLeaf, RootSplit, SubtreeRoot } from './gradient-tree-builder.ts';
import type { Tree } from './tree.ts';

const MISSING_BIN = MISSING_BIN_EXPORT;

/**
 * Per output: the rows its tree is grown on (null: every row) and the features it may use,
 * ascending. In one Int32Array that can live in shared memory: a count pair per output, then
 * each output's rows, then each output's features.
 */
export class RoundPlan {
  private readonly allRows: Int32Array;

  constructor(
    readonly words: Int32Array,
    private readonly rows: number,
    private readonly features: number,
    private readonly outputs: number,
  ) {
    this.allRows = Int32Array.from({ length: rows }, (_, i) => i);
  }

  static create(rows: number, features: number, outputs: number, shared: boolean): RoundPlan {
    const length = outputs * (2 + rows + features);
    const words = shared ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length);
    return new RoundPlan(words, rows, features, outputs);
  }

  set(output: number, sampled: Int32Array | null, used: Int32Array): void {
    this.words[output * 2] = sampled ? sampled.length : -1;
    this.words[output * 2 + 1] = used.length;
    if (sampled) this.words.set(sampled, this.rowsAt(output));
    this.words.set(used, this.featuresAt(output));
  }

  /** The rows of output's tree, or null when it is grown on every row. */
  sampled(output: number): Int32Array | null {
    const count = this.words[output * 2];
    return count < 0 ? null : this.words.subarray(this.rowsAt(output), this.rowsAt(output) + count);
  }

  used(output: number): Int32Array {
    return this.words.subarray(this.featuresAt(output), this.featuresAt(output) + this.words[output * 2 + 1]);
  }

  /** Grows output's tree with `builder` and adds it to the margins of every row. */
  grow(builder: GradientTreeBuilder, output: number, binned: BinnedMatrix, margins: Float64Array): Tree {
    const tree = builder.grow(
      output,
      this.sampled(output) ?? this.allRows,
      this.used(output),
      this.leafMargins(output, margins),
    );
    this.addUnsampled(tree, output, binned, margins);
    return tree;
  }

  /** Only the top `depth` levels of output's tree (GradientTreeBuilder.splitRoot), for threads to grow its subtrees. */
  splitRoot(builder: GradientTreeBuilder, output: number, depth: number): RootSplit {
    return builder.splitRoot(output, this.sampled(output) ?? this.allRows, this.used(output), depth);
  }

  /** Grows the subtree under one child of output's split root (rows: the child's) and adds its leaves to the margins. */
  growSubtree(
    builder: GradientTreeBuilder,
    output: number,
    rows: Int32Array,
    child: SubtreeRoot,
    margins: Float64Array,
  ): Tree {
    return builder.growSubtree(output, rows, this.used(output), child, this.leafMargins(output, margins));
  }

  /**
   * Completes a split root: the leaves of its top levels set, its subtrees (grown elsewhere,
   * in the order of its children) grafted; then, as grow() does, the margins.
   */
  finishSplit(
    builder: GradientTreeBuilder,
    root: RootSplit,
    subtrees: Tree[],
    output: number,
    binned: BinnedMatrix,
    margins: Float64Array,
  ): Tree {
    builder.finishTop(root, this.leafMargins(output, margins));
    root.children.forEach((child, c) => root.tree.graft(child.node, subtrees[c]));
    builder.releaseChildren(root);
    this.addUnsampled(root.tree, output, binned, margins);
    return root.tree;
  }

  /** What a leaf adds to the margins of its rows (nothing on a sample: addUnsampled routes every row). */
  private leafMargins(output: number, margins: Float64Array): OnLeaf {
    const outputs = this.outputs;
    if (this.sampled(output)) return () => {};
    return (value, order, start, end) => {
      for (let i = start; i < end; i++) margins[order[i] * outputs + output] += value;
    };
  }

  /** On a sample, every row (the sample's too) gets the tree's output, routed by its bins. */
  private addUnsampled(tree: Tree, output: number, binned: BinnedMatrix, margins: Float64Array): void {
    if (this.sampled(output)) addTreeOutput(tree, binned, margins, this.outputs, output);
  }

  private rowsAt(output: number): number {
    return this.outputs * 2 + output * this.rows;
  }

  private featuresAt(output: number): number {
    return this.outputs * (2 + this.rows) + output * this.features;
  }
}

/** Adds `tree`'s output (for output k) to the margins of every row of `binned`, routing each by its bins. */
export function addTreeOutput(
  tree: Tree,
  binned: BinnedMatrix,
  margins: Float64Array,
  outputs: number,
  k: number,
): void {
  const p = binned.features;
  for (let i = 0; i < binned.rows; i++) {
    let node = 0;
    while (tree.feature[node] >= 0) {
      const b = binned.rowMajor[i * p + tree.feature[node]];
      const goLeft = b === MISSING_BIN ? tree.defaultLeft[node] === 1 : b <= tree.splitBin[node];
      node = goLeft ? tree.left[node] : tree.right[node];
    }
    margins[i * outputs + k] += tree.leafValues[tree.left[node]];
  }
}
