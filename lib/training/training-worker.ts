/** A training worker: runs the tasks the training pool sends, one at a time, each on this thread alone. */
import { scoreConfig, scoreFoldSampler, type PreparedFold } from '../training/fold-fit.ts';
import type { TunedParams } from '../tuning/search-space.ts';
import type { SamplerName } from '../sampling/sampler-names.ts';
import type { ClassifierName } from '../training/classifier-names.ts';
import { growAndPackForestTrees, type ForestTreesTask } from '../trees/forest-trees.ts';
import { runBoostingHelper, type BoostingHelperTask } from '../trees/boosting-team.ts';
import { answerNeighbourBlock, type NeighbourBlockTask } from './pool-neighbours.ts';
import { serveTasks, Transfer } from './serve-tasks.ts';

serveTasks({
  'fold-sampler': (task) => scoreFoldSampler(task.fold as PreparedFold, task.sampler as SamplerName, task.classifiers as ClassifierName[], task.seed as number),
  'fold-config': (task) => scoreConfig(task.fold as PreparedFold, task.sampler as SamplerName, task.classifier as ClassifierName, task.seed as number, task.config as TunedParams),
  'forest-trees': (task) => {
    const packed = growAndPackForestTrees(task as unknown as ForestTreesTask);
    return new Transfer(packed, [packed.nodes.buffer, packed.leafValues.buffer, packed.roots.buffer, packed.covers.buffer] as ArrayBuffer[]);
  },
  // A block of a sampler's neighbour search (lib/parallel/pool-neighbours.ts).
  neighbours: (task) => {
    const table = answerNeighbourBlock(task as unknown as NeighbourBlockTask);
    return new Transfer(table, [table.buffer as ArrayBuffer]);
  },
  // Holds this worker for the whole of one boosting fit, taking blocks of its steps.
  'boosting-helper': (task) => runBoostingHelper(task as unknown as BoostingHelperTask),
});
