/**
 * The approx method: the path attribution of Saabas (xgboost's approx_contribs). Along the row's
 * path in each tree, each split's feature gets the change of the expected value from the node
 * to the child the row goes to.
 *
 * Layout: the walk waits on memory at every node (a big forest does not fit in cache). Reading
 * the node and then its expected-value change from a second array cost two misses a step: on
 * the shipped forest (622,150 nodes) approx took 2-3x a prediction. So each node is copied at
 * load into one record of `stride` float64s, its change from its parent beside its split:
 *   int32 words 0-3: [slot, threshold (float32 bits), left, right] as in compiled-ensemble.ts,
 *                    but the children as word offsets of their records (a leaf: its own)
 *   float64 2 .. 2 + perLeaf: the node's expected value minus its parent's, times scale
 * A step reads the node's record, picks the child and adds the child's change, which sits in
 * the record the next step reads anyway: one miss a step. ensemble.bin is unchanged: the
 * records are derived here (40 bytes a node for three classes, 24 for boosting).
 *
 * The sums are the old code's, term for term and in the same order (eight trees in lockstep,
 * step by step), so the values are bit for bit what the two-array walk gave (bench/explain.ts
 * checks that on the shipped model's rows).
 */
import type { ShapForest } from './shap-forest.ts';

/** Trees walked together, as prediction walks them (lib/trees/compiled-ensemble.ts). */
const LOCKSTEP = 8;
const NODE_WORDS = 4;
/** Float64s of a record before its changes: the four int32 node words. */
const HEAD = 2;

export class SaabasWalk {
  /** The expected value (over the training data) of each output, base margin included. */
  readonly bias: Float64Array;
  private readonly features: number;
  private readonly perLeaf: number;
  private readonly records: Float64Array;
  private readonly words: Int32Array;
  private readonly splits: Float32Array;
  /** Per tree: the word offset of its root's record. */
  private readonly rootWords: Int32Array;
  /** Per tree: where its first output's contributions start in phi. */
  private readonly columns: Int32Array;
  private readonly depths: Int32Array;
  private readonly walks = new Int32Array(LOCKSTEP);

  constructor(forest: ShapForest, depths: Int32Array, baseMargin: Float64Array) {
    const P = forest.perLeaf;
    const F = forest.features;
    const count = forest.nodes.length / NODE_WORDS;
    const stride = HEAD + P;
    this.features = F;
    this.perLeaf = P;
    this.depths = depths;
    this.records = new Float64Array(count * stride);
    this.words = new Int32Array(this.records.buffer);
    this.splits = new Float32Array(this.records.buffer);
    const mean = meanValues(forest);
    this.pack(forest, mean, stride);
    this.rootWords = Int32Array.from(forest.roots, (root) => root * 2 * stride);
    this.columns = Int32Array.from(forest.firstOutputs, (first) => first * (F + 1));
    this.bias = Float64Array.from(baseMargin);
    for (let t = 0; t < forest.roots.length; t++) {
      const first = forest.firstOutputs[t];
      for (let k = 0; k < P; k++) this.bias[first + k] += mean[forest.roots[t] * P + k] * forest.scale;
    }
  }

  /** Bytes the records take. */
  get bytes(): number {
    return this.records.byteLength;
  }

  /** Adds the row's path contributions to phi (outputs x (features + 1)); row as fillRow gives it. */
  add(row: Float32Array, phi: Float64Array): void {
    const F = this.features;
    const P = this.perLeaf;
    const { records, words, splits, rootWords, columns, depths, walks } = this;
    for (let t = 0; t < rootWords.length; t += LOCKSTEP) {
      const count = Math.min(LOCKSTEP, rootWords.length - t);
      let steps = 0;
      for (let j = 0; j < count; j++) {
        walks[j] = rootWords[t + j];
        if (depths[t + j] > steps) steps = depths[t + j];
      }
      for (let d = 0; d < steps; d++) {
        for (let j = 0; j < count; j++) {
          const w = walks[j];
          const slot = words[w];
          const next = words[w + 3 - +(row[slot] < splits[w + 1])];
          if (next === w) continue;
          const column = columns[t + j] + (slot < F ? slot : slot - F);
          const change = (next >> 1) + HEAD;
          for (let k = 0; k < P; k++) phi[column + k * (F + 1)] += records[change + k];
          walks[j] = next;
        }
      }
    }
  }

  private pack(forest: ShapForest, mean: Float64Array, stride: number): void {
    const P = forest.perLeaf;
    const { nodes, thresholds, scale } = forest;
    const { records, words, splits } = this;
    const count = nodes.length / NODE_WORDS;
    for (let node = 0; node < count; node++) {
      const w = node * NODE_WORDS;
      const r = node * 2 * stride;
      const leaf = nodes[w + 2] === node;
      words[r] = nodes[w];
      splits[r + 1] = thresholds[w + 1];
      words[r + 2] = nodes[w + 2] * 2 * stride;
      words[r + 3] = nodes[w + 3] * 2 * stride;
      if (leaf) continue;
      // The same expression as before the records (mean[child] - mean[node]) * scale: same bits.
      for (const child of [nodes[w + 2], nodes[w + 3]]) {
        for (let k = 0; k < P; k++) records[child * stride + HEAD + k] = (mean[child * P + k] - mean[node * P + k]) * scale;
      }
    }
  }
}

/** Per node and leaf value: the cover-weighted mean of the leaves below it. Children come after their parents, so one backward pass sees every child first. */
function meanValues(forest: ShapForest): Float64Array {
  const P = forest.perLeaf;
  const { nodes, covers, leafValues } = forest;
  const count = nodes.length / NODE_WORDS;
  const mean = new Float64Array(count * P);
  for (let node = count - 1; node >= 0; node--) {
    const w = node * NODE_WORDS;
    if (nodes[w + 2] === node) {
      const from = nodes[w + 1];
      for (let k = 0; k < P; k++) mean[node * P + k] = leafValues[from + k];
      continue;
    }
    const left = nodes[w + 2];
    const right = nodes[w + 3];
    const cover = covers[node];
    for (let k = 0; k < P; k++) {
      mean[node * P + k] = cover > 0 ? (mean[left * P + k] * covers[left] + mean[right * P + k] * covers[right]) / cover : 0;
    }
  }
  return mean;
}
