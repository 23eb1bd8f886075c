/**
 * The compiled ensemble: every tree of a forest or a boosted model in one packed node array,
 * predicted by walking indices, saved and loaded as one compact little-endian binary whose
 * sections are views on the file's bytes (no parsing, no copying on load).
 *
 * A node is four 32-bit words, so one cache line holds four nodes and a visit touches one:
 *   split: [slot, threshold (float32 bits), left, right]
 *   leaf:  [0, offset of its values in leafValues, itself, itself]
 * Routing is XGBoost's: a value goes left when float32(x) < threshold, a missing (NaN) value
 * follows the node's default direction. The direction is folded into the slot: a row is read
 * as 2 x features float32s, the first copy with missing values as -Infinity (always left), the
 * second as +Infinity (always right); a split reads slot = feature for default-left and
 * feature + features for default-right. So a step is one compare, with no test for NaN.
 *
 * Prediction is latency-bound (each step waits for the previous node's load), so it makes eight
 * walks in lockstep (eight trees for one row, or one tree for eight rows in a batch), each for
 * its tree's full depth, without branches: a leaf points to itself, so extra steps stay put.
 * Measured 2.5-3x faster than walking trees one at a time with early exits.
 */
import type { Tree } from './tree.ts';

/** How leaf outputs become probabilities. */
export type Aggregation =
  /** Random forest: leaves hold class distributions; the mean over trees. */
  | 'mean'
  /** Multi-class boosting: per-class margins (tree group = class), softmax. */
  | 'softmax'
  /** Binary boosting: one margin, sigmoid gives P(class 1). */
  | 'logistic';

const AGGREGATIONS: Aggregation[] = ['mean', 'softmax', 'logistic'];
const MAGIC = 0x4e455343; // "CSEN" read as little-endian u32
/** 2 added the node covers; version 1 files still load (and predict, but cannot explain). */
export const ENSEMBLE_FORMAT_VERSION = 2;
const HEADER_WORDS = 8;
const SECTIONS_BY_VERSION: Record<number, number> = { 1: 5, 2: 6 };
const NODE_WORDS = 4;
const LOCKSTEP = 8;
/**
 * Rows predicted together in a batch, each tree walked for all of them while it is in cache:
 * few for small trees, many for big ones, whose reloading would dominate (a 420 KB forest tree
 * reloaded per 256 rows made batches 1.5x slower than per 4,096).
 */
const SMALL_TREE_BLOCK = 256;
const LARGE_TREE_BLOCK = 4096;
const LARGE_TREE_NODES = 2048;

export interface EnsembleArrays {
  aggregation: Aggregation;
  classes: number;
  features: number;
  /** Per tree: index of its root node. */
  treeRoots: Int32Array;
  /** Per tree: the output (class margin) it adds to; 0 for forests. */
  treeGroups: Int32Array;
  /** NODE_WORDS words per node, see the file comment. */
  nodes: Int32Array;
  leafValues: Float32Array;
  /** Per output: the margin every prediction starts from (boosting's base_score). */
  baseMargin: Float64Array;
  /** Per node: the training weight that reached it (see Tree.cover); null in version 1 files. */
  covers: Float32Array | null;
}

export interface NodeView {
  feature: number;
  threshold: number;
  left: number;
  right: number;
  defaultLeft: boolean;
  /** For leaves: the leaf's values. */
  values?: number[];
}

export class CompiledEnsemble {
  readonly aggregation: Aggregation;
  readonly classes: number;
  readonly features: number;
  /** Margins (or class sums) per prediction: 1 for logistic, else the class count. */
  readonly outputs: number;
  private readonly a: EnsembleArrays;
  private readonly thresholds: Float32Array;
  private readonly margins: Float64Array;
  private readonly row32: Float32Array;
  private block32: Float32Array | null = null;
  private blockMargins: Float64Array | null = null;
  private readonly blockRows: number;
  /** Per tree: its depth, the number of lockstep steps that reach every leaf. */
  private readonly depths: Int32Array;
  /** Scratch for the lockstep walk: start node, row offset and reached leaf of each walk. */
  private readonly starts = new Int32Array(LOCKSTEP);
  private readonly bases = new Int32Array(LOCKSTEP);
  private readonly reached = new Int32Array(LOCKSTEP);

  constructor(arrays: EnsembleArrays) {
    this.a = arrays;
    this.aggregation = arrays.aggregation;
    this.classes = arrays.classes;
    this.features = arrays.features;
    this.outputs = arrays.aggregation === 'logistic' ? 1 : arrays.classes;
    const { nodes } = arrays;
    this.thresholds = new Float32Array(nodes.buffer, nodes.byteOffset, nodes.length);
    this.margins = new Float64Array(this.outputs);
    this.row32 = new Float32Array(2 * arrays.features);
    this.blockRows =
      nodes.length / NODE_WORDS / Math.max(1, arrays.treeRoots.length) > LARGE_TREE_NODES
        ? LARGE_TREE_BLOCK
        : SMALL_TREE_BLOCK;
    validate(arrays, this.outputs);
    this.depths = treeDepths(arrays);
  }

  get arrays(): Readonly<EnsembleArrays> {
    return this.a;
  }

  get treeCount(): number {
    return this.a.treeRoots.length;
  }

  get nodeCount(): number {
    return this.a.nodes.length / NODE_WORDS;
  }

  /** One node, readable (for tests and inspection; prediction never builds these). */
  node(i: number): NodeView {
    const w = i * NODE_WORDS;
    const nodes = this.a.nodes;
    if (nodes[w + 2] === i) {
      const perLeaf = this.aggregation === 'mean' ? this.classes : 1;
      const at = nodes[w + 1];
      return {
        feature: -1,
        threshold: NaN,
        left: -1,
        right: -1,
        defaultLeft: false,
        values: Array.from(this.a.leafValues.subarray(at, at + perLeaf)),
      };
    }
    const slot = nodes[w];
    const defaultLeft = slot < this.features;
    return {
      feature: defaultLeft ? slot : slot - this.features,
      threshold: this.thresholds[w + 1],
      left: nodes[w + 2],
      right: nodes[w + 3],
      defaultLeft,
    };
  }

  /** Packs grown trees, keeping only reachable nodes, in pre-order (a left child follows its parent). */
  static fromTrees(
    trees: Tree[],
    groups: number[],
    options: { aggregation: Aggregation; classes: number; features: number; baseMargin: number[] },
  ): CompiledEnsemble {
    return CompiledEnsemble.fromPacked([packTrees(trees, options.features)], groups, options);
  }

  /**
   * Joins trees packed in parts (by workers, each part numbered from 0) into one ensemble, the
   * same byte for byte as packing all the trees at once: every index is moved by the nodes and
   * leaf values of the parts before.
   */
  static fromPacked(
    parts: PackedTrees[],
    groups: number[],
    options: { aggregation: Aggregation; classes: number; features: number; baseMargin: number[] },
  ): CompiledEnsemble {
    const nodeCount = parts.reduce((s, p) => s + p.nodes.length / NODE_WORDS, 0);
    const nodes = new Int32Array(nodeCount * NODE_WORDS);
    const leafValues = new Float32Array(parts.reduce((s, p) => s + p.leafValues.length, 0));
    const covers = new Float32Array(nodeCount);
    const roots = new Int32Array(parts.reduce((s, p) => s + p.roots.length, 0));
    let nodeBase = 0;
    let leafBase = 0;
    let rootBase = 0;
    for (const part of parts) {
      const w0 = nodeBase * NODE_WORDS;
      nodes.set(part.nodes, w0);
      for (let w = w0; w < w0 + part.nodes.length; w += NODE_WORDS) {
        const leaf = nodes[w + 2] === nodes[w + 3] && nodes[w + 2] === (w - w0) / NODE_WORDS;
        if (leaf) nodes[w + 1] += leafBase;
        nodes[w + 2] += nodeBase;
        nodes[w + 3] += nodeBase;
      }
      leafValues.set(part.leafValues, leafBase);
      covers.set(part.covers, nodeBase);
      for (let r = 0; r < part.roots.length; r++) roots[rootBase + r] = part.roots[r] + nodeBase;
      nodeBase += part.nodes.length / NODE_WORDS;
      leafBase += part.leafValues.length;
      rootBase += part.roots.length;
    }
    return new CompiledEnsemble({
      aggregation: options.aggregation,
      classes: options.classes,
      features: options.features,
      treeRoots: roots,
      treeGroups: Int32Array.from(groups),
      nodes,
      leafValues,
      baseMargin: Float64Array.from(options.baseMargin),
      covers,
    });
  }

  /**
   * Class probabilities of one row (`features` values starting at `offset`) into out[outOffset..].
   * No allocation: the row is copied once into a float32 scratch buffer. Eight trees are walked
   * in lockstep for the row.
   */
  predictProba(x: ArrayLike<number>, out: Float64Array, offset = 0, outOffset = 0): void {
    this.sumTrees(x, offset);
    this.finish(this.margins, 0, out, outOffset);
  }

  /**
   * The ensemble's output for one row before the link: per-output margins for boosting, class
   * probabilities for a forest. What feature contributions add up to (lib/explain/tree-shap.ts).
   */
  predictRaw(x: ArrayLike<number>, offset = 0): Float64Array {
    this.sumTrees(x, offset);
    const raw = Float64Array.from(this.margins);
    if (this.aggregation === 'mean') for (let k = 0; k < raw.length; k++) raw[k] /= this.a.treeRoots.length;
    return raw;
  }

  /**
   * Probabilities from the leaf each tree's walk reached, given as where its values start in
   * leafValues (one per tree, as TreeExplainer.approxWithLeaves finds them): the same sums in the
   * same order as predictProba, so the same bits for the same row.
   */
  probaOfLeaves(leaves: Int32Array, out: Float64Array, outOffset = 0): void {
    const margins = this.margins;
    margins.set(this.a.baseMargin);
    const perLeaf = this.aggregation === 'mean' ? this.outputs : 1;
    const last = this.a.leafValues.length - perLeaf;
    for (let t = 0; t < this.a.treeRoots.length; t++) {
      const from = leaves[t];
      if (!(from >= 0 && from <= last)) throw new Error(`tree ${t}: leaf values at ${from} out of range`);
      this.addValues(t, from, margins, 0);
    }
    this.finish(margins, 0, out, outOffset);
  }

  /** Sums every tree's leaf for one row into this.margins, eight trees walked in lockstep. */
  private sumTrees(x: ArrayLike<number>, offset: number): void {
    const row = this.row32;
    toSlots(x, offset, this.features, row, 0);
    const margins = this.margins;
    margins.set(this.a.baseMargin);
    const { treeRoots } = this.a;
    const { starts, bases, reached, depths } = this;
    bases.fill(0);
    for (let t = 0; t < treeRoots.length; t += LOCKSTEP) {
      const count = Math.min(LOCKSTEP, treeRoots.length - t);
      let steps = 0;
      for (let j = 0; j < LOCKSTEP; j++) {
        // A short last group repeats its first tree; the duplicates' leaves are not added.
        const tree = j < count ? t + j : t;
        starts[j] = treeRoots[tree] * NODE_WORDS;
        if (depths[tree] > steps) steps = depths[tree];
      }
      this.walk(row, steps);
      for (let j = 0; j < count; j++) this.addLeaf(t + j, reached[j], margins, 0);
    }
  }

  /**
   * Probabilities of `rows` rows of a row-major matrix; `classes` values per row. Tree by tree
   * over blocks of rows, eight rows in lockstep, so each tree's nodes stay in cache.
   */
  predictProbaBatch(X: Float64Array, rows: number): Float64Array {
    const p = this.features;
    const out = new Float64Array(rows * this.classes);
    const blockRows = this.blockRows;
    // Allocated on the first batch only: single-row users never pay for it.
    const block = (this.block32 ??= new Float32Array(2 * p * blockRows));
    const margins = (this.blockMargins ??= new Float64Array(this.outputs * blockRows));
    const { treeRoots } = this.a;
    const { starts, bases, reached, depths } = this;
    for (let start = 0; start < rows; start += blockRows) {
      const n = Math.min(blockRows, rows - start);
      for (let i = 0; i < n; i++) toSlots(X, (start + i) * p, p, block, i * 2 * p);
      for (let i = 0; i < n; i++) margins.set(this.a.baseMargin, i * this.outputs);
      for (let t = 0; t < treeRoots.length; t++) {
        starts.fill(treeRoots[t] * NODE_WORDS);
        for (let i = 0; i < n; i += LOCKSTEP) {
          const count = Math.min(LOCKSTEP, n - i);
          for (let j = 0; j < LOCKSTEP; j++) bases[j] = (j < count ? i + j : i) * 2 * p;
          this.walk(block, depths[t]);
          for (let j = 0; j < count; j++) this.addLeaf(t, reached[j], margins, (i + j) * this.outputs);
        }
      }
      for (let i = 0; i < n; i++) this.finish(margins, i * this.outputs, out, (start + i) * this.classes);
    }
    return out;
  }

  /** Adds the values of the leaf at word offset w of tree t to the margins at `at`. */
  private addLeaf(t: number, w: number, margins: Float64Array, at: number): void {
    this.addValues(t, this.a.nodes[w + 1], margins, at);
  }

  /** Adds tree t's leaf values starting at leafValues[from] to the margins at `at`. */
  private addValues(t: number, from: number, margins: Float64Array, at: number): void {
    const values = this.a.leafValues;
    if (this.aggregation === 'mean') for (let k = 0; k < this.outputs; k++) margins[at + k] += values[from + k];
    else margins[at + this.a.treeGroups[t]] += values[from];
  }

  /**
   * Eight walks in lockstep: walk j starts at word offset starts[j] and reads its row at
   * bases[j]; after `steps` steps every walk sits on its leaf (leaves point to themselves).
   * Eight independent load chains keep the core busy while each waits for memory.
   */
  private walk(rows: Float32Array, steps: number): void {
    const nodes = this.a.nodes;
    const th = this.thresholds;
    const { starts, bases, reached } = this;
    let w0 = starts[0];
    let w1 = starts[1];
    let w2 = starts[2];
    let w3 = starts[3];
    let w4 = starts[4];
    let w5 = starts[5];
    let w6 = starts[6];
    let w7 = starts[7];
    const b0 = bases[0];
    const b1 = bases[1];
    const b2 = bases[2];
    const b3 = bases[3];
    const b4 = bases[4];
    const b5 = bases[5];
    const b6 = bases[6];
    const b7 = bases[7];
    for (let d = 0; d < steps; d++) {
      w0 = step(nodes, th, rows, b0, w0);
      w1 = step(nodes, th, rows, b1, w1);
      w2 = step(nodes, th, rows, b2, w2);
      w3 = step(nodes, th, rows, b3, w3);
      w4 = step(nodes, th, rows, b4, w4);
      w5 = step(nodes, th, rows, b5, w5);
      w6 = step(nodes, th, rows, b6, w6);
      w7 = step(nodes, th, rows, b7, w7);
    }
    reached[0] = w0;
    reached[1] = w1;
    reached[2] = w2;
    reached[3] = w3;
    reached[4] = w4;
    reached[5] = w5;
    reached[6] = w6;
    reached[7] = w7;
  }

  private finish(margins: Float64Array, from: number, out: Float64Array, at: number): void {
    const K = this.classes;
    if (this.aggregation === 'mean') {
      const trees = this.a.treeRoots.length;
      for (let k = 0; k < K; k++) out[at + k] = margins[from + k] / trees;
    } else if (this.aggregation === 'logistic') {
      const p = 1 / (1 + Math.exp(-margins[from]));
      out[at] = 1 - p;
      out[at + 1] = p;
    } else {
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (margins[from + k] > max) max = margins[from + k];
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(margins[from + k] - max);
        out[at + k] = e;
        sum += e;
      }
      for (let k = 0; k < K; k++) out[at + k] /= sum;
    }
  }

  /** The binary form: a header of u32 words, then each section 8-byte aligned. */
  toBuffer(): Uint8Array {
    const a = this.a;
    const sections: ArrayBufferView[] = [a.treeRoots, a.treeGroups, a.nodes, a.leafValues, a.baseMargin];
    // An ensemble read from a version 1 file is written back as version 1: covers are never made up.
    if (a.covers) sections.push(a.covers);
    const header = new Uint32Array(HEADER_WORDS + sections.length);
    header.set([
      MAGIC,
      a.covers ? ENSEMBLE_FORMAT_VERSION : 1,
      AGGREGATIONS.indexOf(a.aggregation),
      a.classes,
      a.features,
      sections.length,
      0,
      0,
    ]);
    sections.forEach((s, i) => (header[HEADER_WORDS + i] = s.byteLength));
    let size = align8(header.byteLength);
    for (const s of sections) size += align8(s.byteLength);
    const bytes = new Uint8Array(size);
    bytes.set(new Uint8Array(header.buffer), 0);
    let at = align8(header.byteLength);
    for (const s of sections) {
      bytes.set(new Uint8Array(s.buffer, s.byteOffset, s.byteLength), at);
      at += align8(s.byteLength);
    }
    return bytes;
  }

  static fromBuffer(input: Uint8Array): CompiledEnsemble {
    // Typed views need an 8-byte aligned offset; copy once if the input is not.
    const bytes = input.byteOffset % 8 === 0 ? input : input.slice();
    const fail = (why: string): never => {
      throw new Error(`corrupt ensemble binary: ${why}`);
    };
    if (bytes.byteLength < HEADER_WORDS * 4) fail('too short for a header');
    const words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const word = (i: number): number => words.getUint32(i * 4, true);
    if (word(0) !== MAGIC) fail('wrong magic number');
    const sections =
      SECTIONS_BY_VERSION[word(1)] ??
      fail(`format version ${word(1)} is not supported (1 to ${ENSEMBLE_FORMAT_VERSION})`);
    const aggregation = AGGREGATIONS[word(2)] ?? fail(`unknown aggregation ${word(2)}`);
    if (word(5) !== sections) fail(`expected ${sections} sections, found ${word(5)}`);
    if (bytes.byteLength < (HEADER_WORDS + sections) * 4) fail('too short for a header');
    let at = align8((HEADER_WORDS + sections) * 4);
    const kinds = [Int32Array, Int32Array, Int32Array, Float32Array, Float64Array, Float32Array].slice(0, sections);
    const views = kinds.map((Kind, i) => {
      const length = word(HEADER_WORDS + i);
      if (length % Kind.BYTES_PER_ELEMENT !== 0 || at + length > bytes.byteLength) fail(`section ${i} out of bounds`);
      const view = new Kind(bytes.buffer as ArrayBuffer, bytes.byteOffset + at, length / Kind.BYTES_PER_ELEMENT);
      at += align8(length);
      return view;
    });
    if (at !== bytes.byteLength) fail('trailing bytes');
    const [treeRoots, treeGroups, nodes, leafValues, baseMargin, covers] = views;
    return new CompiledEnsemble({
      aggregation,
      classes: word(3),
      features: word(4),
      treeRoots: treeRoots as Int32Array,
      treeGroups: treeGroups as Int32Array,
      nodes: nodes as Int32Array,
      leafValues: leafValues as Float32Array,
      baseMargin: baseMargin as Float64Array,
      covers: (covers as Float32Array | undefined) ?? null,
    });
  }
}

/** One step down from the node at word offset w: branch-free, a leaf stays put. */
function step(nodes: Int32Array, thresholds: Float32Array, row: Float32Array, base: number, w: number): number {
  return nodes[w + 3 - +(row[base + nodes[w]] < thresholds[w + 1])] << 2; // * NODE_WORDS
}

/** A row as the walk reads it: missing values as -Infinity, then again as +Infinity. */
function toSlots(x: ArrayLike<number>, offset: number, features: number, out: Float32Array, at: number): void {
  for (let f = 0; f < features; f++) {
    const v = x[offset + f];
    const missing = v !== v;
    out[at + f] = missing ? -Infinity : v;
    out[at + features + f] = missing ? Infinity : v;
  }
}

/** Levels of each tree laid out breadth-first, before the deeper subtrees. */
const TOP_LEVELS = 10;

/**
 * The reachable nodes of a tree in storage order: the top TOP_LEVELS levels breadth-first (every
 * walk passes through them: together they stay in cache), then each deeper subtree in pre-order
 * (a subtree's nodes stay close together). Children always come after their parent.
 */
function layoutOrder(tree: Tree): number[] {
  const order: number[] = [];
  let level = [0];
  const frontier: number[] = [];
  for (let depth = 0; level.length; depth++) {
    const next: number[] = [];
    for (const node of level) {
      if (depth === TOP_LEVELS) {
        frontier.push(node);
        continue;
      }
      order.push(node);
      if (tree.feature[node] >= 0) next.push(tree.left[node], tree.right[node]);
    }
    level = depth === TOP_LEVELS ? [] : next;
  }
  const preorder = (node: number): void => {
    order.push(node);
    if (tree.feature[node] >= 0) {
      preorder(tree.left[node]);
      preorder(tree.right[node]);
    }
  };
  for (const node of frontier) preorder(node);
  return order;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Every index in range, so a corrupt or hostile binary can never walk out of the arrays or loop. */
function validate(a: EnsembleArrays, outputs: number): void {
  const fail = (why: string): never => {
    throw new Error(`invalid ensemble: ${why}`);
  };
  if (a.nodes.length % NODE_WORDS !== 0) fail('node array is not a whole number of nodes');
  const count = a.nodes.length / NODE_WORDS;
  if (a.classes < 2) fail('fewer than two classes');
  if (a.treeGroups.length !== a.treeRoots.length) fail('tree groups and roots differ in length');
  if (a.baseMargin.length !== outputs) fail(`base margin has ${a.baseMargin.length} values, expected ${outputs}`);
  if (a.covers && a.covers.length !== count) fail(`${a.covers.length} covers for ${count} nodes`);
  const perLeaf = a.aggregation === 'mean' ? a.classes : 1;
  for (let t = 0; t < a.treeRoots.length; t++) {
    if (a.treeRoots[t] < 0 || a.treeRoots[t] >= count) fail(`tree ${t} root out of range`);
    if (a.treeGroups[t] < 0 || a.treeGroups[t] >= outputs) fail(`tree ${t} group out of range`);
  }
  for (let i = 0; i < count; i++) {
    const w = i * NODE_WORDS;
    const slot = a.nodes[w];
    const left = a.nodes[w + 2];
    const right = a.nodes[w + 3];
    if (left === i || right === i) {
      const at = a.nodes[w + 1];
      if (slot !== 0 || left !== right) fail(`leaf ${i} is malformed`);
      if (at < 0 || at + perLeaf > a.leafValues.length) fail(`leaf ${i} values out of range`);
      continue;
    }
    if (slot < 0 || slot >= 2 * a.features) fail(`node ${i} feature ${slot % a.features} out of range (slot ${slot})`);
    // Children after their parent: this also rules out cycles.
    if (left <= i || right <= i || left >= count || right >= count) fail(`node ${i} children out of range`);
  }
}

/** Depth of every tree (a lone leaf has depth 0). Valid arrays only: children follow parents. */
export function treeDepths(a: Pick<EnsembleArrays, 'nodes' | 'treeRoots'>): Int32Array {
  const count = a.nodes.length / NODE_WORDS;
  // Children have larger indices, so one backward pass sees them before their parent.
  const below = new Int32Array(count);
  for (let i = count - 1; i >= 0; i--) {
    const w = i * NODE_WORDS;
    if (a.nodes[w + 2] !== i) below[i] = 1 + Math.max(below[a.nodes[w + 2]], below[a.nodes[w + 3]]);
  }
  return Int32Array.from(a.treeRoots, (root) => below[root]);
}

/** Trees packed as the ensemble stores them, numbered from 0: what a worker sends back (its buffers transferred, not copied). */
export interface PackedTrees {
  nodes: Int32Array;
  leafValues: Float32Array;
  roots: Int32Array;
  covers: Float32Array;
}

/** Packs grown trees, keeping only reachable nodes, in pre-order (a left child follows its parent). */
export function packTrees(trees: Tree[], features: number): PackedTrees {
  const capacity = trees.reduce((s, t) => s + t.size, 0);
  const nodes = new Int32Array(capacity * NODE_WORDS);
  const thresholds = new Float32Array(nodes.buffer);
  const covers = new Float32Array(capacity);
  const leafValues = new Float32Array(trees.reduce((s, t) => s + t.leafValueCount, 0));
  let leafCount = 0;
  const roots: number[] = [];
  let count = 0;
  for (const tree of trees) {
    roots.push(count);
    const order = layoutOrder(tree);
    // Where each node of the tree lands in the packed array (an array, not a map: a forest has millions of nodes).
    const index = new Int32Array(tree.size);
    order.forEach((node, i) => (index[node] = count + i));
    for (const node of order) {
      const at = index[node];
      const w = at * NODE_WORDS;
      covers[at] = tree.cover[node];
      if (tree.feature[node] < 0) {
        nodes[w] = 0;
        nodes[w + 1] = leafCount;
        nodes[w + 2] = at;
        nodes[w + 3] = at;
        const from = tree.left[node];
        for (let k = 0; k < tree.outputsPerLeaf; k++) leafValues[leafCount++] = tree.leafValues[from + k];
      } else {
        nodes[w] = tree.feature[node] + (tree.defaultLeft[node] ? 0 : features);
        thresholds[w + 1] = tree.threshold[node];
        nodes[w + 2] = index[tree.left[node]];
        nodes[w + 3] = index[tree.right[node]];
      }
    }
    count += order.length;
  }
  return {
    nodes: nodes.slice(0, count * NODE_WORDS),
    leafValues: leafValues.slice(0, leafCount),
    roots: Int32Array.from(roots),
    covers: covers.slice(0, count),
  };
}
