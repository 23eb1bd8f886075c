/**
 * A single-row forest walk tried for issue 29 and dropped (kept for bench/forest-walk.ts only, to
 * time it beside CompiledEnsemble.predictProba in one process and check it agrees bit for bit):
 * eight lanes, lane j walking trees j, j + 8, ... one after another, a lane that steps onto its
 * leaf (a leaf steps to itself) starting its next tree at once, branch-free. It takes half the
 * loop iterations of fixed groups (239 against 438 a row on the speed table's forest) yet measured
 * 1.3-1.6x slower: in fixed groups the eight walks reach the deep, uncached levels together, so
 * their misses overlap; refilled lanes sit at mixed depths, most in the cached top levels at any
 * moment, so fewer misses are in flight, and each step is longer.
 */
import { treeDepths, type CompiledEnsemble } from '../lib/trees/compiled-ensemble.ts';

const NODE_WORDS = 4;
const LANES = 8;

export class ForestWalkRefilled {
  private readonly nodes: Int32Array;
  private readonly thresholds: Float32Array;
  private readonly leafValues: Float32Array;
  private readonly classes: number;
  private readonly features: number;
  private readonly row: Float32Array;
  private readonly margins: Float64Array;
  /** Per tree: its root's word offset; then LANES slots of a leaf where a lane past the last tree parks. */
  private readonly rootWords: Int32Array;
  /** Per tree: the leaf (word offset) its walk reached; then the parked lanes' slots. */
  private readonly leafOf: Int32Array;
  /** More iterations than the walk can take: the sum over trees of depth + 1. */
  private readonly bound: number;

  constructor(ensemble: CompiledEnsemble) {
    const a = ensemble.arrays;
    if (a.aggregation !== 'mean') throw new Error('the refilled walk is kept for forests only');
    this.nodes = a.nodes;
    this.thresholds = new Float32Array(a.nodes.buffer, a.nodes.byteOffset, a.nodes.length);
    this.leafValues = a.leafValues;
    this.classes = a.classes;
    this.features = a.features;
    this.row = new Float32Array(2 * a.features);
    this.margins = new Float64Array(a.classes);
    const T = a.treeRoots.length;
    let leaf = 0;
    while (a.nodes[leaf * NODE_WORDS + 2] !== leaf) leaf++;
    this.rootWords = new Int32Array(T + LANES).fill(leaf * NODE_WORDS);
    for (let t = 0; t < T; t++) this.rootWords[t] = a.treeRoots[t] * NODE_WORDS;
    this.leafOf = new Int32Array(T + LANES);
    this.bound = treeDepths(a).reduce((sum, d) => sum + d + 1, 1);
  }

  predictProba(x: ArrayLike<number>, out: Float64Array, offset = 0): void {
    const F = this.features;
    const row = this.row;
    for (let f = 0; f < F; f++) {
      const v = x[offset + f];
      const missing = v !== v;
      row[f] = missing ? -Infinity : v;
      row[F + f] = missing ? Infinity : v;
    }
    this.walk(row);
    const { margins, leafOf, nodes, leafValues } = this;
    const T = this.rootWords.length - LANES;
    margins.fill(0);
    // Tree order, as predictProba adds: the same sums, the same bits.
    for (let t = 0; t < T; t++) {
      const from = nodes[leafOf[t] + 1];
      for (let k = 0; k < this.classes; k++) margins[k] += leafValues[from + k];
    }
    for (let k = 0; k < this.classes; k++) out[k] = margins[k] / T;
  }

  private walk(row: Float32Array): void {
    const nodes = this.nodes;
    const th = this.thresholds;
    const { rootWords, leafOf } = this;
    const T = rootWords.length - LANES;
    let t0 = 0;
    let w0 = rootWords[0];
    let t1 = 1;
    let w1 = rootWords[1];
    let t2 = 2;
    let w2 = rootWords[2];
    let t3 = 3;
    let w3 = rootWords[3];
    let t4 = 4;
    let w4 = rootWords[4];
    let t5 = 5;
    let w5 = rootWords[5];
    let t6 = 6;
    let w6 = rootWords[6];
    let t7 = 7;
    let w7 = rootWords[7];
    let done = 0;
    let n = 0;
    let leaf = 0;
    // A parked lane (t >= T) counts nothing: leaf is 1 only for a live lane on its leaf.
    for (let guard = 0; done < T && guard < this.bound; guard++) {
      n = step(nodes, th, row, w0);
      leafOf[t0] = w0;
      leaf = (((n ^ w0) - 1) & (t0 - T)) >>> 31;
      done += leaf;
      t0 += leaf << 3;
      w0 = n + leaf * (rootWords[t0] - n);
      n = step(nodes, th, row, w1);
      leafOf[t1] = w1;
      leaf = (((n ^ w1) - 1) & (t1 - T)) >>> 31;
      done += leaf;
      t1 += leaf << 3;
      w1 = n + leaf * (rootWords[t1] - n);
      n = step(nodes, th, row, w2);
      leafOf[t2] = w2;
      leaf = (((n ^ w2) - 1) & (t2 - T)) >>> 31;
      done += leaf;
      t2 += leaf << 3;
      w2 = n + leaf * (rootWords[t2] - n);
      n = step(nodes, th, row, w3);
      leafOf[t3] = w3;
      leaf = (((n ^ w3) - 1) & (t3 - T)) >>> 31;
      done += leaf;
      t3 += leaf << 3;
      w3 = n + leaf * (rootWords[t3] - n);
      n = step(nodes, th, row, w4);
      leafOf[t4] = w4;
      leaf = (((n ^ w4) - 1) & (t4 - T)) >>> 31;
      done += leaf;
      t4 += leaf << 3;
      w4 = n + leaf * (rootWords[t4] - n);
      n = step(nodes, th, row, w5);
      leafOf[t5] = w5;
      leaf = (((n ^ w5) - 1) & (t5 - T)) >>> 31;
      done += leaf;
      t5 += leaf << 3;
      w5 = n + leaf * (rootWords[t5] - n);
      n = step(nodes, th, row, w6);
      leafOf[t6] = w6;
      leaf = (((n ^ w6) - 1) & (t6 - T)) >>> 31;
      done += leaf;
      t6 += leaf << 3;
      w6 = n + leaf * (rootWords[t6] - n);
      n = step(nodes, th, row, w7);
      leafOf[t7] = w7;
      leaf = (((n ^ w7) - 1) & (t7 - T)) >>> 31;
      done += leaf;
      t7 += leaf << 3;
      w7 = n + leaf * (rootWords[t7] - n);
    }
  }
}

function step(nodes: Int32Array, thresholds: Float32Array, row: Float32Array, w: number): number {
  return nodes[w + 3 - +(row[nodes[w]] < thresholds[w + 1])] << 2;
}
