/**
 * Monitoring reads on a worker thread of their own, with its own connection to the store
 * (monitoring-worker.ts). Listing, fetching, parsing and merging a day of summaries is tens to
 * hundreds of milliseconds of CPU: on the serving thread, every prediction that arrives meanwhile
 * waits behind it. On the worker, at the lowest scheduling priority, it only takes a core that
 * predictions leave idle. One worker: these reads are an operator's and a schedule's, a few a
 * minute; more would only compete with serving. The worker starts on the first read and does
 * not keep the process alive when idle.
 */
import type { TrainingBaseline } from '../data/training-baseline.ts';
import { spawnTaskProcess } from '../parallel/task-process.ts';
import { WorkerPool, WorkerTaskError } from '../parallel/worker-pool.ts';
import { workerUrl } from '../parallel/worker-url.ts';
import { StorageError, type StorageFailure } from '../storage/object-store.ts';
import type { S3StoreConfig } from '../storage/s3-object-store.ts';
import type { MonitoringReads } from './monitoring-reads.ts';
import type { RollupOptions, RollupResult } from './rollup.ts';
import type { WindowShape, WindowSummary } from './summary-reader.ts';
import type { VariantStats } from './variant-stats.ts';
import type { DriftCounts } from './window-answers.ts';
import type { WindowReport } from './window-report.ts';
import { MONITORING_NICE } from './monitoring-nice.ts';

export class OffThreadReads implements MonitoringReads {
  private readonly pool: WorkerPool;

  /** `process`: the worker is a child process at MONITORING_NICE, every thread of it (task-process.ts). */
  constructor(store: S3StoreConfig, where: 'thread' | 'process' = 'thread') {
    const entry = workerUrl('monitoring-worker', import.meta.url);
    this.pool =
      where === 'process'
        ? new WorkerPool(entry, 1, store, (url, data) => spawnTaskProcess(url, data, { nice: MONITORING_NICE }))
        : new WorkerPool(entry, 1, store);
  }

  readWindow(model: string, since: number, until: number, shape: WindowShape = {}): Promise<WindowSummary> {
    return this.run<WindowSummary>({ kind: 'window', model, since, until, shape });
  }

  report(
    model: string,
    since: number,
    until: number,
    routedVariants: string[],
    classes?: string[],
  ): Promise<WindowReport> {
    return this.run<WindowReport>({ kind: 'report', model, since, until, routedVariants, classes });
  }

  variantStats(model: string, since: number, until: number): Promise<VariantStats[]> {
    return this.run<VariantStats[]>({ kind: 'variantStats', model, since, until });
  }

  driftCounts(
    model: string,
    since: number,
    until: number,
    baseline: TrainingBaseline,
    fingerprint: string,
  ): Promise<DriftCounts> {
    return this.run<DriftCounts>({ kind: 'driftCounts', model, since, until, baseline, fingerprint });
  }

  rollUp(model: string, now?: number, options?: Partial<RollupOptions>): Promise<RollupResult> {
    return this.run<RollupResult>({ kind: 'rollup', model, now, options });
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** A storage failure in the worker is the same StorageError here (a 503 stays a 503). */
  private async run<T>(task: { kind: string; [field: string]: unknown }): Promise<T> {
    try {
      return await this.pool.run<T>(task);
    } catch (err) {
      const detail = err instanceof WorkerTaskError ? err.detail : undefined;
      if (
        detail &&
        typeof detail.failure === 'string' &&
        typeof detail.reason === 'string' &&
        typeof detail.message === 'string'
      ) {
        throw new StorageError(detail.message, detail.failure as StorageFailure, detail.reason, { cause: err });
      }
      throw err;
    }
  }
}
