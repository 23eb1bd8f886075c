/**
 * A worker thread of the parallel batch predictor: holds the ensemble (a view on the shared
 * bytes, not a copy) and predicts the row ranges it is sent, writing into shared output.
 */
import { workerData } from 'node:worker_threads';
import { serveTasks } from '../parallel/serve-tasks.ts';
import { CompiledEnsemble } from './compiled-ensemble.ts';

export interface BatchTask {
  kind: 'batch';
  X: SharedArrayBuffer;
  out: SharedArrayBuffer;
  start: number;
  rows: number;
  [field: string]: unknown;
}

const ensemble = CompiledEnsemble.fromBuffer(new Uint8Array(workerData.ensemble as SharedArrayBuffer));
const p = ensemble.features;
const K = ensemble.classes;

serveTasks({
  batch: (task) => {
    const t = task as BatchTask;
    const X = new Float64Array(t.X, t.start * p * 8, t.rows * p);
    new Float64Array(t.out, t.start * K * 8, t.rows * K).set(ensemble.predictProbaBatch(X, t.rows));
    return null;
  },
});
