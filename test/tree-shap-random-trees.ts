/** Random tree ensembles and rows for the explainers' tests (test/tree-shap*.test.ts). */
import { CompiledEnsemble, type Aggregation } from '../lib/trees/compiled-ensemble.ts';
import { Random } from '../lib/util/random.ts';

export interface RandomTrees {
  aggregation: Aggregation;
  classes: number;
  features: number;
  trees: number;
  depth: number;
  /** Chance that a node off the spine (one path per tree that always reaches `depth`) is a leaf. */
  stop: number;
  /** Chance that a split sends no training weight to one side (a child of cover 0). */
  empty?: number;
  seed: number;
}

/**
 * Random trees built node by node (pre-order, children after their parent), so depth, repeated
 * features and odd covers can be had at will. Each tree has a spine, a path that goes on to
 * `depth`; the other nodes are leaves by chance `stop` (0.6 keeps those subtrees small: each
 * node has 0.8 children on average).
 */
export function randomEnsemble(spec: RandomTrees): CompiledEnsemble {
  const rng = new Random(spec.seed);
  const perLeaf = spec.aggregation === 'mean' ? spec.classes : 1;
  const outputs = spec.aggregation === 'logistic' ? 1 : spec.classes;
  const nodes: number[] = [];
  const covers: number[] = [];
  const leafValues: number[] = [];
  const roots: number[] = [];
  const groups: number[] = [];
  const grow = (depth: number, cover: number, spine: boolean): number => {
    const at = nodes.length / 4;
    nodes.push(0, 0, at, at);
    covers.push(cover);
    if (depth >= spec.depth || (!spine && rng.nextFloat() < spec.stop)) {
      nodes[at * 4 + 1] = leafValues.length;
      if (perLeaf === 1) leafValues.push(rng.nextFloat() * 2 - 1);
      else {
        const raw = Array.from({ length: perLeaf }, () => rng.nextFloat());
        const sum = raw.reduce((s, v) => s + v, 0);
        leafValues.push(...raw.map((v) => v / sum));
      }
      return at;
    }
    const feature = rng.nextInt(spec.features);
    nodes[at * 4] = rng.nextFloat() < 0.5 ? feature : feature + spec.features;
    nodes[at * 4 + 1] = new Int32Array(new Float32Array([rng.nextFloat()]).buffer)[0];
    const share = spec.empty && rng.nextFloat() < spec.empty ? 0 : 0.05 + 0.9 * rng.nextFloat();
    const leftFirst = rng.nextFloat() < 0.5;
    const spineLeft = rng.nextFloat() < 0.5;
    nodes[at * 4 + 2] = grow(depth + 1, cover * (leftFirst ? share : 1 - share), spine && spineLeft);
    nodes[at * 4 + 3] = grow(depth + 1, cover * (leftFirst ? 1 - share : share), spine && !spineLeft);
    return at;
  };
  for (let t = 0; t < spec.trees; t++) {
    roots.push(grow(0, 1 + rng.nextFloat() * 100, true));
    groups.push(perLeaf === 1 ? t % outputs : 0);
  }
  return new CompiledEnsemble({
    aggregation: spec.aggregation,
    classes: spec.classes,
    features: spec.features,
    treeRoots: Int32Array.from(roots),
    treeGroups: Int32Array.from(groups),
    nodes: Int32Array.from(nodes),
    leafValues: Float32Array.from(leafValues),
    baseMargin: new Float64Array(outputs).fill(spec.aggregation === 'mean' ? 0 : 0.5),
    covers: Float32Array.from(covers),
  });
}

/** Rows of uniform values in [0, 1), `missing` of them NaN. */
export function randomRows(rows: number, features: number, missing: number, seed: number): Float64Array {
  const rng = new Random(seed);
  return Float64Array.from({ length: rows * features }, () => (rng.nextFloat() < missing ? NaN : rng.nextFloat()));
}
