/**
 * A forest's trees are packed one at a time as they grow (lib/trees/forest-trees.ts), so a fit never
 * holds every grown tree at once (issue 29: training memory). Joined, the parts must be the very
 * ensemble that packing all the grown trees together makes.
 */
import { expect, it } from 'vitest';
import { BinMapper } from '../lib/trees/binning.ts';
import { CompiledEnsemble } from '../lib/trees/compiled-ensemble.ts';
import { growAndPackForestTrees, growForestTrees, type ForestTreesTask } from '../lib/trees/forest-trees.ts';
import { syntheticThreeClasses } from './helpers.ts';

function forestTask(): ForestTreesTask {
  const { X, rows, features, y, classes } = syntheticThreeClasses(800, 6, 3, { missing: 0.05 });
  const bins = BinMapper.fit(X, rows, features, 256);
  return {
    binned: bins.transform(X, rows),
    thresholds: bins.thresholds,
    y,
    classes,
    params: { maxDepth: null, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: 2 },
    bootstrap: true,
    classWeight: null,
    seeds: [11, 12, 13, 14, 15, 16, 17],
  };
}

it('packs the trees one at a time into the bytes of packing every grown tree at once', () => {
  const task = forestTask();
  const options = { aggregation: 'mean' as const, classes: 3, features: task.binned.features, baseMargin: [0, 0, 0] };
  const groups = task.seeds.map(() => 0);
  const parts = growAndPackForestTrees(task);
  const oneAtATime = CompiledEnsemble.fromPacked(parts, groups, options);
  const whole = CompiledEnsemble.fromTrees([...growForestTrees(task)], groups, options);
  // One part a tree, each a fully grown tree (not a stump that any joining would get right).
  expect(parts.map((p) => p.roots.length)).toEqual(task.seeds.map(() => 1));
  expect(whole.nodeCount).toBeGreaterThan(task.seeds.length * 50);
  expect(Buffer.from(oneAtATime.toBuffer()).equals(Buffer.from(whole.toBuffer()))).toBe(true);
});
