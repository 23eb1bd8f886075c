/**
 * The approx method as it was before lib/explain/saabas.ts (kept for bench/explain.ts only, to
 * time old and new alternated in one process and check they agree bit for bit): the node read
 * from the ensemble's packed nodes, its expected-value change from a second array.
 */
import { shapForest } from '../lib/explain/shap-forest.ts';
import { treeDepths, type CompiledEnsemble } from '../lib/trees/compiled-ensemble.ts';

const NODE_WORDS = 4;
const LOCKSTEP = 8;

export class SaabasBefore {
  private readonly features: number;
  private readonly outputs: number;
  private readonly perLeaf: number;
  private readonly scale: number;
  private readonly meanValues: Float64Array;
  private readonly gains: Float64Array;
  private readonly nodes: Int32Array;
  private readonly thresholds: Float32Array;
  private readonly covers: Float32Array;
  private readonly leafValues: Float32Array;
  private readonly roots: Int32Array;
  private readonly groups: Int32Array;
  private readonly baseMargin: Float64Array;
  private readonly depths: Int32Array;
  private readonly walks = new Int32Array(LOCKSTEP);
  private readonly row: Float32Array;

  constructor(ensemble: CompiledEnsemble) {
    const forest = shapForest(ensemble);
    const a = ensemble.arrays;
    this.outputs = ensemble.outputs;
    this.features = ensemble.features;
    this.perLeaf = a.aggregation === 'mean' ? a.classes : 1;
    this.scale = a.aggregation === 'mean' ? 1 / Math.max(1, a.treeRoots.length) : 1;
    this.nodes = a.nodes;
    this.thresholds = new Float32Array(a.nodes.buffer, a.nodes.byteOffset, a.nodes.length);
    this.covers = forest.covers;
    this.leafValues = a.leafValues;
    this.roots = a.treeRoots;
    this.groups = a.treeGroups;
    this.baseMargin = a.baseMargin;
    this.meanValues = this.computeMeanValues();
    this.gains = this.computeGains();
    this.depths = treeDepths(a);
    this.row = new Float32Array(2 * this.features);
  }

  explain(x: ArrayLike<number>, offset = 0): Float64Array {
    const F = this.features;
    const phi = new Float64Array(this.outputs * (F + 1));
    for (let o = 0; o < this.outputs; o++) phi[o * (F + 1) + F] = this.baseMargin[o];
    for (let t = 0; t < this.roots.length; t++) {
      const root = this.roots[t];
      const first = this.perLeaf === 1 ? this.groups[t] : 0;
      for (let k = 0; k < this.perLeaf; k++)
        phi[(first + k) * (F + 1) + F] += this.meanValues[root * this.perLeaf + k] * this.scale;
    }
    for (let f = 0; f < F; f++) {
      const v = x[offset + f];
      const missing = v !== v;
      this.row[f] = missing ? -Infinity : v;
      this.row[F + f] = missing ? Infinity : v;
    }
    this.saabas(phi);
    return phi;
  }

  private saabas(phi: Float64Array): void {
    const F = this.features;
    const P = this.perLeaf;
    const { gains, nodes, thresholds, roots, walks, depths, row } = this;
    for (let t = 0; t < roots.length; t += LOCKSTEP) {
      const count = Math.min(LOCKSTEP, roots.length - t);
      let steps = 0;
      for (let j = 0; j < count; j++) {
        walks[j] = roots[t + j];
        if (depths[t + j] > steps) steps = depths[t + j];
      }
      for (let d = 0; d < steps; d++) {
        for (let j = 0; j < count; j++) {
          const node = walks[j];
          const w = node * NODE_WORDS;
          const slot = nodes[w];
          const next = nodes[w + 3 - +(row[slot] < thresholds[w + 1])];
          if (next === node) continue;
          const column = (P === 1 ? this.groups[t + j] : 0) * (F + 1) + (slot < F ? slot : slot - F);
          for (let k = 0; k < P; k++) phi[column + k * (F + 1)] += gains[next * P + k];
          walks[j] = next;
        }
      }
    }
  }

  private computeMeanValues(): Float64Array {
    const P = this.perLeaf;
    const count = this.nodes.length / NODE_WORDS;
    const mean = new Float64Array(count * P);
    for (let node = count - 1; node >= 0; node--) {
      const w = node * NODE_WORDS;
      if (this.nodes[w + 2] === node) {
        const from = this.nodes[w + 1];
        for (let k = 0; k < P; k++) mean[node * P + k] = this.leafValues[from + k];
        continue;
      }
      const left = this.nodes[w + 2];
      const right = this.nodes[w + 3];
      const cover = this.covers[node];
      for (let k = 0; k < P; k++) {
        mean[node * P + k] =
          cover > 0 ? (mean[left * P + k] * this.covers[left] + mean[right * P + k] * this.covers[right]) / cover : 0;
      }
    }
    return mean;
  }

  private computeGains(): Float64Array {
    const P = this.perLeaf;
    const gains = new Float64Array(this.meanValues.length);
    const count = this.nodes.length / NODE_WORDS;
    for (let node = 0; node < count; node++) {
      const w = node * NODE_WORDS;
      if (this.nodes[w + 2] === node) continue;
      for (const child of [this.nodes[w + 2], this.nodes[w + 3]]) {
        for (let k = 0; k < P; k++)
          gains[child * P + k] = (this.meanValues[child * P + k] - this.meanValues[node * P + k]) * this.scale;
      }
    }
    return gains;
  }
}
