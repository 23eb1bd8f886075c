/**
 * The answers monitoring gives about a window, computed from its summary where the summary is
 * read: in-process on Lambda, on the monitoring worker on a server (monitoring-reads.ts). Turning
 * a day's summary into a report (merging ~30 slices' latency sketches per variant, the series'
 * percentiles) took 46 ms of the serving thread per 24 h report at a lender's day (4.32M answers,
 * a CPU profile of bench/monitoring.ts's predict-under-reads run): stalls that predictions queued
 * behind. Done here, only the answer crosses threads.
 */
import type { TrainingBaseline } from '../data/training-baseline.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { readNamedWindow } from './named-window.ts';
import { groupMixCounts } from './group-mix-counts.ts';
import { featureCountsOn } from './summary.ts';
import { readWindowSummary } from './summary-reader.ts';
import { variantStats, type VariantStats } from './variant-stats.ts';
import { REPORT_SHAPE, reportOfWindow, type WindowReport } from './window-report.ts';

export async function readWindowReport(
  store: ObjectStore,
  model: string,
  since: number,
  until: number,
  routedVariants: string[],
  classes?: string[],
): Promise<WindowReport> {
  return reportOfWindow(
    await readWindowSummary(store, model, since, until, REPORT_SHAPE),
    since,
    until,
    routedVariants,
    classes,
  );
}

/**
 * Per-variant statistics over the whole window (one slice): what the canary controller judges a
 * step by, every minute. Read by naming the step's documents (named-window.ts): GETs, not listings.
 */
export async function readVariantStats(
  store: ObjectStore,
  model: string,
  since: number,
  until: number,
): Promise<VariantStats[]> {
  return variantStats((await readNamedWindow(store, model, since, until, { slices: 1, features: false })).summary);
}

/** What the drift check reads of a window: its sampled rows counted on one baseline, and every answer's group. */
export interface DriftCounts {
  /** The rows counted on the baseline, with every answer's group per sensitive column (`groups`, for the group-mix check). */
  counts: ReturnType<typeof featureCountsOn>['counts'];
  /** Sampled rows counted on another baseline, or on none (featureCountsOn). */
  otherBaselineRows: number;
}

/**
 * The drift check's counts of [since, until] on `baseline` (whose fingerprint is `fingerprint`).
 * Adding up a day's feature blocks on the serving thread took ~11 ms a check at a lender's day
 * (bench/RESULTS.md, fourth pass); here only the counts cross threads.
 */
export async function readDriftCounts(
  store: ObjectStore,
  model: string,
  since: number,
  until: number,
  baseline: TrainingBaseline,
  fingerprint: string,
): Promise<DriftCounts> {
  const { summary } = await readWindowSummary(store, model, since, until, { slices: 1 });
  const { counts, otherBaselineRows } = featureCountsOn(summary, baseline, fingerprint);
  // Every answer's group, for the group-mix check: carried with the counts to the check.
  counts.groups = groupMixCounts(summary);
  return { counts, otherBaselineRows };
}
