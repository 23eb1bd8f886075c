/** A training worker: runs the tasks the training pool sends, one at a time, each on this thread alone. */
import { answerNeighbourBlock, type NeighbourBlockTask } from '../sampling/pool-neighbours.ts';
import { runBoostingHelper, type BoostingHelperTask } from '../trees/boosting-team.ts';
import { growAndPackForestTrees, type ForestTreesMessage } from '../trees/forest-trees.ts';
import { serveTasks, Transfer } from '../parallel/serve-tasks.ts';
import { scoreConfig, scoreFoldSampler } from './fold-fit.ts';
import type { FoldConfigTask, FoldSamplerTask } from './training-pool.ts';

/** Every task a training worker runs: training's own, and those trees and samplers send through their TaskRunner. */
type TrainingTask = FoldSamplerTask | FoldConfigTask | ForestTreesMessage | NeighbourBlockTask | BoostingHelperTask;

serveTasks<TrainingTask>({
  'fold-sampler': (task) => scoreFoldSampler(task.fold, task.sampler, task.classifiers, task.seed),
  'fold-config': (task) => scoreConfig(task.fold, task.sampler, task.classifier, task.seed, task.config),
  'forest-trees': (task) => {
    const parts = growAndPackForestTrees(task);
    return new Transfer(
      parts,
      parts.flatMap((p) => [p.nodes.buffer, p.leafValues.buffer, p.roots.buffer, p.covers.buffer] as ArrayBuffer[]),
    );
  },
  // A block of a sampler's neighbour search (lib/sampling/pool-neighbours.ts).
  neighbours: (task) => {
    const table = answerNeighbourBlock(task);
    return new Transfer(table, [table.buffer as ArrayBuffer]);
  },
  // Holds this worker for the whole of one boosting fit, taking blocks of its steps.
  'boosting-helper': (task) => runBoostingHelper(task),
});
