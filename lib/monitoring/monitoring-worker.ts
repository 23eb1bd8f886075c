/**
 * The monitoring worker thread (off-thread-reads.ts): window reads, the answers computed from them
 * (window-answers.ts) and rollups against its own store client. It lowers its own scheduling
 * priority first (MONITORING_NICE): on Linux a thread's nice value is its own (setpriority on the
 * calling thread, not the process), so predictions on the main thread keep theirs. Where that is not allowed it runs at normal priority, off the main thread.
 */
import { setPriority } from 'node:os';
import type { TrainingBaseline } from '../data/training-baseline.ts';
import { workerData } from 'node:worker_threads';
import { serveTasks } from '../parallel/serve-tasks.ts';
import { S3ObjectStore, type S3StoreConfig } from '../storage/s3-object-store.ts';
import { rollUpSummaries, type RollupOptions } from './rollup.ts';
import { readWindowSummary, type WindowShape } from './summary-reader.ts';
import { readDriftCounts, readVariantStats, readWindowReport } from './window-answers.ts';

/**
 * Nice 10, not 19: Linux's scheduler weighs a nice-10 thread at 110 against a normal one's 1,024,
 * so predictions keep about nine tenths of a contended core, while the reads still move. At 19
 * (weight 15) a machine saturated by other work starved them: a 24 h report of a fresh service
 * timed out on its store reads (5 s) with the CI suite and two other jobs running beside it.
 */
export const MONITORING_NICE = 10;

try {
  setPriority(MONITORING_NICE);
} catch {
  // Not permitted here (some sandboxes): the thread still keeps the reads off the serving thread.
}

const store = S3ObjectStore.fromConfig(workerData as S3StoreConfig);

serveTasks({
  window: (task) =>
    readWindowSummary(
      store,
      task.model as string,
      task.since as number,
      task.until as number,
      task.shape as WindowShape,
    ),
  report: (task) =>
    readWindowReport(
      store,
      task.model as string,
      task.since as number,
      task.until as number,
      task.routedVariants as string[],
      task.classes as string[] | undefined,
    ),
  variantStats: (task) => readVariantStats(store, task.model as string, task.since as number, task.until as number),
  driftCounts: (task) =>
    readDriftCounts(
      store,
      task.model as string,
      task.since as number,
      task.until as number,
      task.baseline as TrainingBaseline,
      task.fingerprint as string,
    ),
  rollup: (task) =>
    rollUpSummaries(
      store,
      task.model as string,
      task.now as number | undefined,
      task.options as Partial<RollupOptions> | undefined,
    ),
});
