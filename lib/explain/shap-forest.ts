/** The parts of a compiled ensemble the explainers read, with the covers they need checked. */
import type { CompiledEnsemble } from '../trees/compiled-ensemble.ts';

export class ExplainUnavailableError extends Error {
  override name = 'ExplainUnavailableError';
}

export interface ShapForest {
  /** The ensemble's nodes: NODE_WORDS words each (lib/trees/compiled-ensemble.ts). */
  nodes: Int32Array;
  /** The same words read as float32: a split's threshold at word 1. */
  thresholds: Float32Array;
  covers: Float32Array;
  leafValues: Float32Array;
  roots: Int32Array;
  /** Per tree: the first output its leaf values add to (its class for boosting, 0 for a forest). */
  firstOutputs: Int32Array;
  features: number;
  /** Values per leaf, added to the outputs from the tree's first output on. */
  perLeaf: number;
  /** What each leaf value is multiplied by in the ensemble's sum: 1/trees for a forest. */
  scale: number;
}

export function shapForest(ensemble: CompiledEnsemble): ShapForest {
  const a = ensemble.arrays;
  const covers = a.covers;
  if (!covers)
    throw new ExplainUnavailableError(
      'this model was saved without node covers (ensemble format 1): train it again to explain its predictions',
    );
  if (Array.from(a.treeRoots).some((root) => !(covers[root] > 0))) {
    throw new ExplainUnavailableError(
      'this model has no node covers (an import without sum_hessian): its expected values are unknown',
    );
  }
  const perLeaf = a.aggregation === 'mean' ? a.classes : 1;
  return {
    nodes: a.nodes,
    thresholds: new Float32Array(a.nodes.buffer, a.nodes.byteOffset, a.nodes.length),
    covers,
    leafValues: a.leafValues,
    roots: a.treeRoots,
    firstOutputs: perLeaf === 1 ? a.treeGroups : new Int32Array(a.treeRoots.length),
    features: a.features,
    perLeaf,
    scale: a.aggregation === 'mean' ? 1 / Math.max(1, a.treeRoots.length) : 1,
  };
}
