/**
 * The monitoring worker (off-thread-reads.ts), a thread of the server or a child process of it
 * (MONITORING_READS): window reads, the answers computed from them (window-answers.ts) and
 * rollups against its own store client. A thread lowers its own scheduling priority first
 * (MONITORING_NICE): on Linux a thread's nice value is its own (setpriority on the calling
 * thread, not the process), so predictions on the main thread keep theirs; where that is not
 * allowed it runs at normal priority, off the main thread. A child process starts at it.
 */
import { setPriority } from 'node:os';
import type { TrainingBaseline } from '../data/training-baseline.ts';
import { isMainThread } from 'node:worker_threads';
import { serveTasks, taskWorkerData } from '../parallel/serve-tasks.ts';
import { S3ObjectStore, type S3StoreConfig } from '../storage/s3-object-store.ts';
import { rollUpSummaries, type RollupOptions } from './rollup.ts';
import { readWindowSummary, type WindowShape } from './summary-reader.ts';
import { MONITORING_NICE } from './monitoring-nice.ts';
import { readDriftCounts, readVariantStats, readWindowReport } from './window-answers.ts';

// A child process was started at its niceness (task-process.ts); a thread lowers its own.
if (!isMainThread)
  try {
    setPriority(MONITORING_NICE);
  } catch {
    // Not permitted here (some sandboxes): the thread still keeps the reads off the serving thread.
  }

const store = S3ObjectStore.fromConfig(taskWorkerData() as S3StoreConfig);

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
