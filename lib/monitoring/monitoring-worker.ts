/**
 * The monitoring worker thread (off-thread-reads.ts): window reads and rollups against its own
 * store client. It lowers its own scheduling priority first: on Linux a thread's nice value is
 * its own (setpriority on the calling thread, not the process), so predictions on the main
 * thread keep theirs. Where that is not allowed it runs at normal priority, off the main thread.
 */
import { setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import { serveTasks } from '../parallel/serve-tasks.ts';
import { S3ObjectStore, type S3StoreConfig } from '../storage/s3-object-store.ts';
import { rollUpSummaries, type RollupOptions } from './rollup.ts';
import { readWindowSummary, type WindowShape } from './summary-reader.ts';

try {
  setPriority(19);
} catch {
  // Not permitted here (some sandboxes): the thread still keeps the reads off the serving thread.
}

const store = S3ObjectStore.fromConfig(workerData as S3StoreConfig);

serveTasks({
  window: (task) => readWindowSummary(store, task.model as string, task.since as number, task.until as number, task.shape as WindowShape),
  rollup: (task) => rollUpSummaries(store, task.model as string, task.now as number | undefined, task.options as Partial<RollupOptions> | undefined),
});
