/**
 * Growing a range of a random forest's trees: what the forest does on one thread, and what a
 * training worker does for its share. Each tree's randomness comes from its own seed, drawn in
 * order by the forest, so the trees are the same whichever thread grows them.
 */
import { Random } from '../util/random.ts';
import { BinMapper, type BinnedMatrix } from './binning.ts';
import { balancedClassWeights } from './class-weights.ts';
import { packTrees, type PackedTrees } from './compiled-ensemble.ts';
import { GiniTreeBuilder, type GiniTreeParams } from './gini-tree-builder.ts';
import type { Tree } from './tree.ts';

export interface ForestTreesTask {
  binned: BinnedMatrix;
  thresholds: Float32Array[];
  y: Int32Array;
  classes: number;
  params: GiniTreeParams;
  bootstrap: boolean;
  /** The forest's class_weight (random-forest.ts). */
  classWeight: null | 'balanced' | 'balanced_subsample';
  /** One per tree to grow, in order. */
  seeds: number[];
}

/** The task as a training worker receives it (lib/training/training-worker.ts). */
export interface ForestTreesMessage extends ForestTreesTask {
  kind: 'forest-trees';
}

/**
 * The trees grown and packed as the ensemble stores them, each packed as soon as it is grown and
 * then let go: a grown tree's arrays take ~45 bytes a node (more while they grow by doubling), its
 * packed form ~26, and a fully grown forest has ~32 nodes a training row (3.2M nodes at 100k rows),
 * so holding every grown tree until the end cost more than the packed forest itself (bench/RESULTS.md,
 * "Training memory", 2026-12-08). One part a tree; CompiledEnsemble.fromPacked joins them byte for
 * byte as packing them all at once.
 */
export function growAndPackForestTrees(task: ForestTreesTask, onTree?: () => void): PackedTrees[] {
  const parts: PackedTrees[] = [];
  for (const tree of growForestTrees(task)) {
    parts.push(packTrees([tree], task.binned.features));
    onTree?.();
  }
  return parts;
}

/** The trees, one at a time in seed order: a tree is taken before the next is grown. */
export function* growForestTrees(task: ForestTreesTask): Generator<Tree> {
  const builder = new GiniTreeBuilder(
    task.binned,
    BinMapper.fromThresholds(task.thresholds),
    task.y,
    task.classes,
    task.params,
  );
  const rows = task.binned.rows;
  const weights = new Float64Array(rows);
  const forestWeights = task.classWeight === 'balanced' ? balancedClassWeights(task.y, task.classes) : null;
  for (const seed of task.seeds) {
    const rng = new Random(seed);
    if (task.bootstrap) {
      weights.fill(0);
      for (let i = 0; i < rows; i++) weights[rng.nextInt(rows)]++;
    } else {
      weights.fill(1);
    }
    const classWeights =
      task.classWeight === 'balanced_subsample' ? balancedClassWeights(task.y, task.classes, weights) : forestWeights;
    if (classWeights) for (let i = 0; i < rows; i++) weights[i] *= classWeights[task.y[i]];
    yield builder.grow(weights, rng);
  }
}
