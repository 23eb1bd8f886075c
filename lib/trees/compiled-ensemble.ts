/**
 * The compiled ensemble: every tree of a forest or a boosted model in a handful of flat typed
 * arrays, predicted by walking indices, saved and loaded as one compact little-endian binary
 * whose sections are views on the file's bytes (no parsing, no copying on load).
 *
 * Routing is XGBoost's: a value goes left when float32(x) < threshold, a missing (NaN) value
 * follows the node's default direction.
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
export const ENSEMBLE_FORMAT_VERSION = 1;
const HEADER_WORDS = 8;

export interface EnsembleArrays {
  aggregation: Aggregation;
  classes: number;
  features: number;
  /** Per tree: index of its root node. */
  treeRoots: Int32Array;
  /** Per tree: the output (class margin) it adds to; 0 for forests. */
  treeGroups: Int32Array;
  /** Per node: feature index, or -1 for a leaf. */
  feature: Int32Array;
  threshold: Float32Array;
  /** Per node: left child, or for a leaf the offset of its values in leafValues. */
  left: Int32Array;
  right: Int32Array;
  defaultLeft: Uint8Array;
  leafValues: Float32Array;
  /** Per output: the margin every prediction starts from (boosting's base_score). */
  baseMargin: Float64Array;
}

export class CompiledEnsemble {
  readonly aggregation: Aggregation;
  readonly classes: number;
  readonly features: number;
  private readonly a: EnsembleArrays;
  private readonly outputs: number;
  private readonly margins: Float64Array;
  private readonly row32: Float32Array;

  constructor(arrays: EnsembleArrays) {
    this.a = arrays;
    this.aggregation = arrays.aggregation;
    this.classes = arrays.classes;
    this.features = arrays.features;
    this.outputs = arrays.aggregation === 'mean' ? arrays.classes : arrays.aggregation === 'logistic' ? 1 : arrays.classes;
    this.margins = new Float64Array(this.outputs);
    this.row32 = new Float32Array(arrays.features);
    validate(arrays, this.outputs);
  }

  get arrays(): Readonly<EnsembleArrays> {
    return this.a;
  }

  get treeCount(): number {
    return this.a.treeRoots.length;
  }

  get nodeCount(): number {
    return this.a.feature.length;
  }

  /** Builds the flat arrays from grown trees, keeping only reachable nodes, in pre-order. */
  static fromTrees(trees: Tree[], groups: number[], options: { aggregation: Aggregation; classes: number; features: number; baseMargin: number[] }): CompiledEnsemble {
    const feature: number[] = [];
    const threshold: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const defaultLeft: number[] = [];
    const leafValues: number[] = [];
    const roots: number[] = [];
    for (const tree of trees) {
      roots.push(feature.length);
      const emit = (node: number): number => {
        const at = feature.length;
        feature.push(tree.feature[node] >= 0 ? tree.feature[node] : -1);
        threshold.push(tree.feature[node] >= 0 ? tree.threshold[node] : 0);
        defaultLeft.push(tree.defaultLeft[node]);
        left.push(-1);
        right.push(-1);
        if (tree.feature[node] < 0) {
          left[at] = leafValues.length;
          const from = tree.left[node];
          for (let k = 0; k < tree.outputsPerLeaf; k++) leafValues.push(tree.leafValues[from + k]);
        } else {
          left[at] = emit(tree.left[node]);
          right[at] = emit(tree.right[node]);
        }
        return at;
      };
      emit(0);
    }
    return new CompiledEnsemble({
      aggregation: options.aggregation,
      classes: options.classes,
      features: options.features,
      treeRoots: Int32Array.from(roots),
      treeGroups: Int32Array.from(groups),
      feature: Int32Array.from(feature),
      threshold: Float32Array.from(threshold),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      defaultLeft: Uint8Array.from(defaultLeft),
      leafValues: Float32Array.from(leafValues),
      baseMargin: Float64Array.from(options.baseMargin),
    });
  }

  /**
   * Class probabilities of one row (`features` values starting at `offset`) into out[outOffset..].
   * No allocation: the row is copied once into a float32 scratch buffer.
   */
  predictProba(x: ArrayLike<number>, out: Float64Array, offset = 0, outOffset = 0): void {
    const { treeRoots, treeGroups, feature, threshold, left, right, defaultLeft, leafValues, baseMargin } = this.a;
    const row = this.row32;
    for (let f = 0; f < row.length; f++) row[f] = x[offset + f];
    const margins = this.margins;
    margins.set(baseMargin);
    const forest = this.aggregation === 'mean';
    const K = this.outputs;
    for (let t = 0; t < treeRoots.length; t++) {
      let node = treeRoots[t];
      let f = feature[node];
      while (f >= 0) {
        const v = row[f];
        node = v < threshold[node] ? left[node] : v !== v && defaultLeft[node] === 1 ? left[node] : right[node];
        f = feature[node];
      }
      const at = left[node];
      if (forest) for (let k = 0; k < K; k++) margins[k] += leafValues[at + k];
      else margins[treeGroups[t]] += leafValues[at];
    }
    this.finish(margins, out, outOffset);
  }

  /** Probabilities of `rows` rows of a row-major matrix; classes values per row. */
  predictProbaBatch(X: Float64Array, rows: number): Float64Array {
    const out = new Float64Array(rows * this.classes);
    for (let i = 0; i < rows; i++) this.predictProba(X, out, i * this.features, i * this.classes);
    return out;
  }

  private finish(margins: Float64Array, out: Float64Array, at: number): void {
    const K = this.classes;
    if (this.aggregation === 'mean') {
      const trees = this.a.treeRoots.length;
      for (let k = 0; k < K; k++) out[at + k] = margins[k] / trees;
    } else if (this.aggregation === 'logistic') {
      const p = 1 / (1 + Math.exp(-margins[0]));
      out[at] = 1 - p;
      out[at + 1] = p;
    } else {
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (margins[k] > max) max = margins[k];
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(margins[k] - max);
        out[at + k] = e;
        sum += e;
      }
      for (let k = 0; k < K; k++) out[at + k] /= sum;
    }
  }

  /** The binary form: a header of u32 words, then each array 8-byte aligned. */
  toBuffer(): Uint8Array {
    const a = this.a;
    const sections: ArrayBufferView[] = [a.treeRoots, a.treeGroups, a.feature, a.threshold, a.left, a.right, a.defaultLeft, a.leafValues, a.baseMargin];
    const header = new Uint32Array(HEADER_WORDS + sections.length);
    header.set([MAGIC, ENSEMBLE_FORMAT_VERSION, AGGREGATIONS.indexOf(a.aggregation), a.classes, a.features, sections.length, 0, 0]);
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
    // Typed views need an aligned, exclusively owned buffer; copy once if the input is not.
    const bytes = input.byteOffset % 8 === 0 ? input : input.slice();
    const fail = (why: string): never => {
      throw new Error(`corrupt ensemble binary: ${why}`);
    };
    if (bytes.byteLength < HEADER_WORDS * 4) fail('too short for a header');
    const words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const word = (i: number): number => words.getUint32(i * 4, true);
    if (word(0) !== MAGIC) fail('wrong magic number');
    if (word(1) !== ENSEMBLE_FORMAT_VERSION) fail(`format version ${word(1)} is not ${ENSEMBLE_FORMAT_VERSION}`);
    const aggregation = AGGREGATIONS[word(2)] ?? fail(`unknown aggregation ${word(2)}`);
    const sectionCount = word(5);
    if (sectionCount !== 9) fail(`expected 9 sections, found ${sectionCount}`);
    const lengths = Array.from({ length: sectionCount }, (_, i) => word(HEADER_WORDS + i));
    let at = align8((HEADER_WORDS + sectionCount) * 4);
    const kinds = [Int32Array, Int32Array, Int32Array, Float32Array, Int32Array, Int32Array, Uint8Array, Float32Array, Float64Array];
    const views = lengths.map((length, i) => {
      const Kind = kinds[i];
      if (length % Kind.BYTES_PER_ELEMENT !== 0 || at + length > bytes.byteLength) fail(`section ${i} out of bounds`);
      const view = new Kind(bytes.buffer as ArrayBuffer, bytes.byteOffset + at, length / Kind.BYTES_PER_ELEMENT);
      at += align8(length);
      return view;
    });
    if (at !== bytes.byteLength) fail('trailing bytes');
    const [treeRoots, treeGroups, feature, threshold, left, right, defaultLeft, leafValues, baseMargin] = views;
    return new CompiledEnsemble({
      aggregation,
      classes: word(3),
      features: word(4),
      treeRoots: treeRoots as Int32Array,
      treeGroups: treeGroups as Int32Array,
      feature: feature as Int32Array,
      threshold: threshold as Float32Array,
      left: left as Int32Array,
      right: right as Int32Array,
      defaultLeft: defaultLeft as Uint8Array,
      leafValues: leafValues as Float32Array,
      baseMargin: baseMargin as Float64Array,
    });
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Every index in range, so a corrupt or hostile binary can never walk out of the arrays. */
function validate(a: EnsembleArrays, outputs: number): void {
  const nodes = a.feature.length;
  const fail = (why: string): never => {
    throw new Error(`invalid ensemble: ${why}`);
  };
  if (a.classes < 2) fail('fewer than two classes');
  if (a.treeGroups.length !== a.treeRoots.length) fail('tree groups and roots differ in length');
  if ([a.threshold, a.left, a.right, a.defaultLeft].some((arr) => arr.length !== nodes)) fail('node arrays differ in length');
  if (a.baseMargin.length !== outputs) fail(`base margin has ${a.baseMargin.length} values, expected ${outputs}`);
  const perLeaf = a.aggregation === 'mean' ? a.classes : 1;
  for (let t = 0; t < a.treeRoots.length; t++) {
    if (a.treeRoots[t] < 0 || a.treeRoots[t] >= nodes) fail(`tree ${t} root out of range`);
    if (a.treeGroups[t] < 0 || a.treeGroups[t] >= outputs) fail(`tree ${t} group out of range`);
  }
  for (let i = 0; i < nodes; i++) {
    const f = a.feature[i];
    if (f >= a.features || f < -1) fail(`node ${i} feature ${f} out of range`);
    if (f === -1) {
      if (a.left[i] < 0 || a.left[i] + perLeaf > a.leafValues.length) fail(`leaf ${i} values out of range`);
    } else if (a.left[i] <= i || a.right[i] <= i || a.left[i] >= nodes || a.right[i] >= nodes) {
      // Children after their parent: this also rules out cycles.
      fail(`node ${i} children out of range`);
    }
  }
}
