/**
 * The approx method: the path attribution of Saabas (xgboost's approx_contribs). Along the row's
 * path in each tree, each split's feature gets the change of the expected value from the node
 * to the child the row goes to.
 *
 * Layout: the walk waits on memory at every node (a big forest does not fit in cache). Reading
 * the node and then its expected-value change from a second array cost two misses a step: on
 * the shipped forest (622,150 nodes) approx took 2-3x a prediction. So each node is copied at
 * load into one record of 2 + perLeaf float64s, its change from its parent beside its split:
 *   int32 words 0-3: [slot, threshold (float32 bits), left, right] as in compiled-ensemble.ts,
 *                    but the children as word offsets of their records (a leaf: the sink's,
 *                    and in word 1 where its values start, as in the ensemble's node)
 *   float64 2 .. 2 + perLeaf: the node's expected value minus its parent's, times scale
 * ensemble.bin is unchanged: the records are derived here (40 bytes a node for three classes,
 * 24 for boosting), and replace the 2 x 8 x perLeaf bytes a node of means and changes kept before.
 *
 * Two passes per eight trees. The walk is prediction's (branch-free, eight trees in lockstep)
 * and only writes down the records it reaches. Then the adds, over records now in cache: the
 * adds in the walk itself made each step longer, so fewer misses overlapped (measured: the walk
 * alone costs what a prediction does; the adds were the other half of approx's time). The adds
 * go to sums laid out feature by feature, an output's values side by side (three adds to one
 * cache line, not three), copied into phi at the end; both passes stop once every walk is past
 * its leaf (the rows' paths are 16.7 splits a tree on the shipped forest, its trees 33 deep at
 * the median).
 *
 * The sums are the old code's, term for term and in the same order (step by step, and within a
 * step tree by tree), so the values are bit for bit what the two-array walk gave (bench/explain.ts
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
  /** Per tree: the first output its leaf values add to. */
  private readonly firsts: Int32Array;
  /** Per slot (feature, or feature + features for default-right): where its sums start. */
  private readonly slotColumns: Int32Array;
  private readonly outputs: number;
  /** Scratch: features x outputs, an output's sums side by side per feature (one cache line a step). */
  private readonly sums: Float64Array;
  private readonly depths: Int32Array;
  /** The records the eight walks reach, step by step: path[d * 8 + j], step 0 the roots. */
  private readonly path: Int32Array;
  /** The word offset of the record every leaf leads to (see pack). */
  private readonly sink: number;

  constructor(forest: ShapForest, depths: Int32Array, baseMargin: Float64Array) {
    const P = forest.perLeaf;
    const F = forest.features;
    const count = forest.nodes.length / NODE_WORDS;
    const stride = HEAD + P;
    this.features = F;
    this.perLeaf = P;
    this.depths = depths;
    // A loop, not Math.max(...depths): a boosted model can have more trees than a call takes arguments.
    this.path = new Int32Array((depths.reduce((most, depth) => Math.max(most, depth), 0) + 1) * LOCKSTEP);
    // One record more than the nodes: the sink every leaf leads to (see pack).
    this.records = new Float64Array((count + 1) * stride);
    this.sink = count * 2 * stride;
    this.words = new Int32Array(this.records.buffer);
    this.splits = new Float32Array(this.records.buffer);
    const mean = meanValues(forest);
    this.pack(forest, mean, stride);
    this.rootWords = Int32Array.from(forest.roots, (root) => root * 2 * stride);
    this.outputs = baseMargin.length;
    this.firsts = forest.firstOutputs;
    this.slotColumns = Int32Array.from({ length: 2 * F }, (_, slot) => (slot < F ? slot : slot - F) * this.outputs);
    this.sums = new Float64Array(F * this.outputs);
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

  /**
   * Adds the row's path contributions to phi (outputs x (features + 1)); row as fillRow gives it.
   * With `leaves`, also writes there where each tree's leaf values start (in the ensemble's
   * leafValues): the leaves prediction reaches, so a prediction with approx reasons walks each
   * tree once (CompiledEnsemble.probaOfLeaves).
   */
  add(row: Float32Array, phi: Float64Array, leaves?: Int32Array): void {
    const F = this.features;
    const P = this.perLeaf;
    const outputs = this.outputs;
    const { records, words, rootWords, firsts, slotColumns, depths, path, sink, sums } = this;
    sums.fill(0);
    for (let t = 0; t < rootWords.length; t += LOCKSTEP) {
      const count = Math.min(LOCKSTEP, rootWords.length - t);
      let steps = 0;
      for (let j = 0; j < LOCKSTEP; j++) {
        // A short last group repeats its first tree; the repeats add nothing (j >= count).
        path[j] = rootWords[j < count ? t + j : t];
        if (depths[j < count ? t + j : t] > steps) steps = depths[j < count ? t + j : t];
      }
      const walked = this.walk(row, steps);
      // A tree's leaf is its last record before the sink (a walk as deep as `steps` never reaches it).
      if (leaves)
        for (let j = 0; j < count; j++) {
          let d = walked;
          while (d > 0 && path[d * LOCKSTEP + j] === sink) d--;
          leaves[t + j] = words[path[d * LOCKSTEP + j] + 1];
        }
      // The records just walked are in cache: this pass waits on no memory. Step by step, tree
      // by tree, as the single-pass walk added them (the same sums, term for term).
      for (let d = 0, going = count; d < walked && going > 0; d++) {
        const from = d * LOCKSTEP;
        going = 0;
        for (let j = 0; j < count; j++) {
          const next = path[from + LOCKSTEP + j];
          // Past its leaf (about half the steps: the row's leaves sit well above the tree's depth).
          if (next === sink) continue;
          going++;
          const at = slotColumns[words[path[from + j]]] + firsts[t + j];
          const change = (next >> 1) + HEAD;
          // Three classes (the shipped forests') unrolled; with the sums by feature, 1.13x over the loop.
          if (P === 3) {
            sums[at] += records[change];
            sums[at + 1] += records[change + 1];
            sums[at + 2] += records[change + 2];
          } else for (let k = 0; k < P; k++) sums[at + k] += records[change + k];
        }
      }
    }
    // On phi's feature entries, 0 in TreeExplainer: 0 + sum is the sum, bit for bit (a sum of
    // these terms from +0 is never -0).
    for (let f = 0; f < F; f++) for (let o = 0; o < outputs; o++) phi[o * (F + 1) + f] += sums[f * outputs + o];
  }

  /**
   * Eight walks in lockstep from path[0..7], writing the record reached after step d at
   * path[d * 8 + j]: the walk itself is prediction's (compiled-ensemble.ts), plus a store, and it
   * stops once every walk is at the sink. Returns the steps taken.
   */
  private walk(row: Float32Array, steps: number): number {
    const { words, splits, path, sink } = this;
    let w0 = path[0];
    let w1 = path[1];
    let w2 = path[2];
    let w3 = path[3];
    let w4 = path[4];
    let w5 = path[5];
    let w6 = path[6];
    let w7 = path[7];
    for (let d = 1; d <= steps; d++) {
      const at = d * LOCKSTEP;
      path[at] = w0 = words[w0 + 3 - +(row[words[w0]] < splits[w0 + 1])];
      path[at + 1] = w1 = words[w1 + 3 - +(row[words[w1]] < splits[w1 + 1])];
      path[at + 2] = w2 = words[w2 + 3 - +(row[words[w2]] < splits[w2 + 1])];
      path[at + 3] = w3 = words[w3 + 3 - +(row[words[w3]] < splits[w3 + 1])];
      path[at + 4] = w4 = words[w4 + 3 - +(row[words[w4]] < splits[w4 + 1])];
      path[at + 5] = w5 = words[w5 + 3 - +(row[words[w5]] < splits[w5 + 1])];
      path[at + 6] = w6 = words[w6 + 3 - +(row[words[w6]] < splits[w6 + 1])];
      path[at + 7] = w7 = words[w7 + 3 - +(row[words[w7]] < splits[w7 + 1])];
      // Every walk past its leaf: the rest of the steps would stay at the sink.
      if ((w0 & w1 & w2 & w3 & w4 & w5 & w6 & w7) === sink && (w0 | w1 | w2 | w3 | w4 | w5 | w6 | w7) === sink)
        return d;
    }
    return steps;
  }

  private pack(forest: ShapForest, mean: Float64Array, stride: number): void {
    const P = forest.perLeaf;
    const { nodes, thresholds, scale } = forest;
    const { records, words, splits } = this;
    const count = nodes.length / NODE_WORDS;
    // A leaf leads to the sink, and the sink to itself, so the walk needs no test for having
    // arrived, and the adds skip every step that reaches the sink.
    const sink = this.sink;
    words[sink + 2] = sink;
    words[sink + 3] = sink;
    for (let node = 0; node < count; node++) {
      const w = node * NODE_WORDS;
      const r = node * 2 * stride;
      const leaf = nodes[w + 2] === node;
      words[r] = nodes[w];
      if (leaf) {
        // Where the leaf's values start (as in the ensemble's node): prediction from the walk reads it here, in cache.
        words[r + 1] = nodes[w + 1];
        words[r + 2] = sink;
        words[r + 3] = sink;
        continue;
      }
      splits[r + 1] = thresholds[w + 1];
      words[r + 2] = nodes[w + 2] * 2 * stride;
      words[r + 3] = nodes[w + 3] * 2 * stride;
      // The same expression as before the records (mean[child] - mean[node]) * scale: same bits.
      for (const child of [nodes[w + 2], nodes[w + 3]]) {
        for (let k = 0; k < P; k++)
          records[child * stride + HEAD + k] = (mean[child * P + k] - mean[node * P + k]) * scale;
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
      mean[node * P + k] =
        cover > 0 ? (mean[left * P + k] * covers[left] + mean[right * P + k] * covers[right]) / cover : 0;
    }
  }
  return mean;
}
