/**
 * A worker thread of the parallel batch predictor: holds the ensemble (a view on the shared
 * bytes, not a copy) and predicts the row ranges it is sent, writing into shared output.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CompiledEnsemble } from './compiled-ensemble.ts';

export interface BatchTask {
  id: number;
  X: SharedArrayBuffer;
  out: SharedArrayBuffer;
  start: number;
  rows: number;
}

const ensemble = CompiledEnsemble.fromBuffer(new Uint8Array(workerData.ensemble as SharedArrayBuffer));
const p = ensemble.features;
const K = ensemble.classes;

parentPort!.on('message', (task: BatchTask) => {
  try {
    const X = new Float64Array(task.X, task.start * p * 8, task.rows * p);
    new Float64Array(task.out, task.start * K * 8, task.rows * K).set(ensemble.predictProbaBatch(X, task.rows));
    parentPort!.postMessage({ id: task.id });
  } catch (err) {
    parentPort!.postMessage({ id: task.id, error: (err as Error).message });
  }
});
