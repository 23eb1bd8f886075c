/**
 * Where a process runs its monitoring reads (a window's summary for the drift check, the report and
 * the canary controller's statistics computed from one; the rollups). A Lambda function does one job per invocation, so it
 * reads in-process; a long-lived server that also answers predictions reads on a worker thread
 * of its own (off-thread-reads.ts), so a 24 h report never holds the event loop predictions wait on.
 */
import type { TrainingBaseline } from '../data/training-baseline.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { rollUpSummaries, type RollupOptions, type RollupResult } from './rollup.ts';
import { readWindowSummary, type WindowShape, type WindowSummary } from './summary-reader.ts';
import type { VariantStats } from './variant-stats.ts';
import { readDriftCounts, readVariantStats, readWindowReport, type DriftCounts } from './window-answers.ts';
import type { WindowReport } from './window-report.ts';

export interface MonitoringReads {
  /** The summary of the answers in [since, until], in the shape asked for (summary-reader.ts). */
  readWindow(model: string, since: number, until: number, shape?: WindowShape): Promise<WindowSummary>;
  /** The A/B report of [since, until] (window-report.ts), computed where the window is read. */
  report(
    model: string,
    since: number,
    until: number,
    routedVariants: string[],
    classes?: string[],
  ): Promise<WindowReport>;
  /** Per-variant statistics of [since, until] as one slice (the canary controller's), computed where the window is read. */
  variantStats(model: string, since: number, until: number): Promise<VariantStats[]>;
  /** The drift check's counts of [since, until] on a baseline (window-answers.ts), computed where the window is read. */
  driftCounts(
    model: string,
    since: number,
    until: number,
    baseline: TrainingBaseline,
    fingerprint: string,
  ): Promise<DriftCounts>;
  /** One rollup run (rollup.ts). */
  rollUp(model: string, now?: number, options?: Partial<RollupOptions>): Promise<RollupResult>;
  /** Frees what the reads hold (a worker thread); reads after it fail. */
  close(): Promise<void>;
}

export function inProcessReads(store: ObjectStore): MonitoringReads {
  return {
    readWindow: (model, since, until, shape) => readWindowSummary(store, model, since, until, shape),
    report: (model, since, until, routedVariants, classes) =>
      readWindowReport(store, model, since, until, routedVariants, classes),
    variantStats: (model, since, until) => readVariantStats(store, model, since, until),
    driftCounts: (model, since, until, baseline, fingerprint) =>
      readDriftCounts(store, model, since, until, baseline, fingerprint),
    rollUp: (model, now, options) => rollUpSummaries(store, model, now, options),
    close: async () => {},
  };
}
