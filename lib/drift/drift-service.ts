/**
 * Running the drift check as a service: over the captured traffic of a window (scheduled) or
 * given rows (an uploaded CSV), against the baseline of the model serving now; the report is
 * stored (drift/{model}/reports/, drift/{model}/latest.json), exported as metrics, and the drift
 * policy applied: off, notify, or retrain, with a cooldown so one shift starts one job.
 */
import type { Config } from '../config/config.ts';
import type { CleanRow } from '../data/clean-record.ts';
import { emitEmf } from '../observability/emf.ts';
import type { Logger } from '../observability/logger.ts';
import type { ServiceMetrics } from '../observability/metrics.ts';
import type { MonitoringReads } from '../monitoring/monitoring-reads.ts';
import { baselineFingerprint } from './baseline-fingerprint.ts';
import type { FeatureCounts } from '../data/feature-counts.ts';
import type { ServingModel } from '../serving/model-provider.ts';
import { DocumentStore } from '../state/document-store.ts';
import { dataKeySchema, keys } from '../state/layout.ts';
import { lastDriftRetrainSchema, storedDriftReportSchema, type StoredDriftReport } from '../state/schemas.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { timeOrderedId } from '../util/ids.ts';
import { z } from 'zod';
import { checkDrift, checkDriftCounts, type DriftOptions, type DriftReport } from './drift-check.ts';
import { checkGroupMix } from './group-mix.ts';

export type { StoredDriftReport };

/**
 * POST /drift/check's body: a CSV in the bucket, CSV text, or neither (the captured window).
 * Both at once is refused, naming both, rather than one silently winning.
 */
export const driftCheckRequestSchema = z
  .strictObject({
    dataKey: dataKeySchema.optional().describe('A CSV in the bucket, under data/ (not with csv)'),
    csv: z.string().min(1).optional().describe('CSV text, header first (not with dataKey)'),
  })
  .superRefine((body, ctx) => {
    if (body.dataKey === undefined || body.csv === undefined) return;
    for (const [field, other] of [
      ['dataKey', 'csv'],
      ['csv', 'dataKey'],
    ]) {
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `sent with ${other}: send one of dataKey and csv, or neither for the captured window`,
      });
    }
  });

export type DriftSource = StoredDriftReport['source'];
export type DriftAction = StoredDriftReport['action'];

export interface DriftDeps {
  config: Config;
  store: ObjectStore;
  /** Where window reads run (a worker thread in a long-lived server). */
  monitoring: Pick<MonitoringReads, 'driftCounts'>;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Starts a retrain job; answers its id, or why it did not start. */
  startRetrain(canary: boolean): Promise<{ jobId: string } | { busy: true } | { error: string }>;
}

export function driftOptions(config: Config): Partial<DriftOptions> {
  return {
    ...(config.DRIFT_ALPHA !== undefined ? { alpha: config.DRIFT_ALPHA } : {}),
    ...(config.DRIFT_MIN_SAMPLES !== undefined ? { minSamples: config.DRIFT_MIN_SAMPLES } : {}),
    ...(config.DRIFT_DATASET_SHARE !== undefined ? { datasetShare: config.DRIFT_DATASET_SHARE } : {}),
  };
}

/** What a drift check compares with the baseline: rows (an uploaded CSV) or counts already on its bins. */
export type DriftInput = { rows: CleanRow[] } | { counts: FeatureCounts };

/**
 * The sampled answers of the last DRIFT_WINDOW_HOURS, counted on the serving model's baseline:
 * the feature counts of the window's monitoring summaries for every version trained on the same
 * baseline (a version with another baseline binned its rows on other edges: those rows are
 * counted apart, in `otherBaselineRows`). Reads summaries, never the raw answers.
 */
export async function capturedCounts(
  deps: Pick<DriftDeps, 'config' | 'monitoring'>,
  model: ServingModel,
  now = Date.now(),
): Promise<{ counts: FeatureCounts; otherBaselineRows: number; source: DriftSource }> {
  const since = now - deps.config.DRIFT_WINDOW_HOURS * 3_600_000;
  const { baseline } = model.predictor.bundle;
  // Counted where the window is read (the monitoring worker in a server): only the counts come back.
  const { counts, otherBaselineRows } = await deps.monitoring.driftCounts(
    model.name,
    since,
    now,
    baseline,
    baselineFingerprint(baseline),
  );
  return {
    counts,
    otherBaselineRows,
    source: { kind: 'captures', since: new Date(since).toISOString(), until: new Date(now).toISOString() },
  };
}

export async function runDriftCheck(
  deps: DriftDeps,
  model: ServingModel,
  input: DriftInput,
  source: DriftSource,
  applyPolicy: boolean,
): Promise<StoredDriftReport> {
  const { config, store, logger, metrics } = deps;
  const bundle = model.predictor.bundle;
  const report =
    'rows' in input
      ? checkDrift(bundle.spec, bundle.baseline, input.rows, driftOptions(config))
      : checkDriftCounts(bundle.baseline, input.counts, driftOptions(config));
  const groupMix = checkGroupMix(
    bundle.spec,
    bundle.metrics,
    'counts' in input ? input.counts.groups : undefined,
    report.options,
  );
  const stored: StoredDriftReport = {
    ...report,
    ...(groupMix ? { groupMix } : {}),
    id: timeOrderedId(),
    at: new Date().toISOString(),
    model: model.name,
    version: model.version,
    source,
    policy: config.DRIFT_POLICY,
    action: 'none',
  };
  if (applyPolicy && (report.verdict === 'drift' || report.verdict === 'partial') && config.DRIFT_POLICY !== 'off') {
    stored.action = 'notified';
    if (config.DRIFT_POLICY === 'retrain' && report.verdict === 'drift')
      Object.assign(stored, await retrainOnce(deps, model.name, stored.id));
  }
  const docs = new DocumentStore(store);
  await docs.create(keys.driftReport(model.name, stored.id), storedDriftReportSchema, stored);
  // latest.json only ever moves forward: a slower check that finishes later does not hide a newer one.
  await docs.update(
    keys.driftLatest(model.name),
    storedDriftReportSchema,
    (current) =>
      current && current.value.id > stored.id
        ? { keep: true, result: undefined }
        : { write: stored, result: undefined },
    { onCorrupt: 'replace' },
  );
  exportDriftMetrics(metrics, stored);
  metrics.driftChecks.inc({ model: stored.model, verdict: stored.verdict, action: stored.action });
  emitEmf(
    { Model: stored.model },
    {
      DriftedShare: { value: stored.driftedShare, unit: 'None' },
      DriftVerdict: { value: VERDICT_VALUE[stored.verdict], unit: 'None' },
    },
  );
  const drifted = stored.columns.filter((c) => c.status === 'drift').map((c) => c.column);
  const level = stored.verdict === 'drift' ? 'warn' : 'info';
  logger[level](
    {
      'log.logger': 'drift',
      'event.action': `drift-${stored.verdict}`,
      'drift.id': stored.id,
      'model.version': stored.version,
      rows: stored.rows,
      drifted,
      'drift.share': stored.driftedShare,
      'drift.action': stored.action,
      ...(stored.jobId ? { 'job.id': stored.jobId } : {}),
    },
    `drift check ${stored.verdict}: ${drifted.length}/${stored.evaluated} features drifted${drifted.length ? ` (${drifted.join(', ')})` : ''}; action ${stored.action}`,
  );
  return stored;
}

/**
 * Starts a retrain unless one was started for drift within the cooldown. The cooldown's clock
 * is claimed by compare-and-swap before the job starts, so two checks that see the same shift
 * at once start one job; a start that fails gives the claim back.
 */
async function retrainOnce(
  deps: DriftDeps,
  modelName: string,
  reportId: string,
): Promise<Pick<StoredDriftReport, 'action' | 'jobId'>> {
  const { config, store } = deps;
  const docs = new DocumentStore(store);
  const key = keys.driftLastRetrain(modelName);
  const cooldownMs = config.DRIFT_RETRAIN_COOLDOWN_HOURS * 3_600_000;
  const claimed = await docs.update(
    key,
    lastDriftRetrainSchema,
    (current) => {
      if (current && Date.now() - Date.parse(current.value.at) < cooldownMs) return { keep: true, result: null };
      return {
        write: { at: new Date().toISOString(), jobId: null, reportId },
        result: current?.value ?? { at: new Date(0).toISOString(), jobId: null, reportId: '' },
      };
    },
    { onCorrupt: 'replace' },
  );
  if (!claimed) return { action: 'retrain-cooldown' };
  const giveBack = (): Promise<void> =>
    docs.update(key, lastDriftRetrainSchema, (current) =>
      current?.value.reportId === reportId ? { write: claimed, result: undefined } : { keep: true, result: undefined },
    );
  let started: Awaited<ReturnType<DriftDeps['startRetrain']>>;
  try {
    started = await deps.startRetrain(config.DRIFT_RETRAIN_CANARY);
  } catch (err) {
    await giveBack().catch(() => undefined);
    throw err;
  }
  if ('busy' in started) {
    await giveBack();
    return { action: 'retrain-busy' };
  }
  if ('error' in started) {
    await giveBack();
    return { action: 'retrain-failed' };
  }
  await docs.update(key, lastDriftRetrainSchema, (current) =>
    current?.value.reportId === reportId
      ? { write: { ...current.value, jobId: started.jobId }, result: undefined }
      : { keep: true, result: undefined },
  );
  return { action: 'retrain-started', jobId: started.jobId };
}

export async function latestDriftReport(store: ObjectStore, model: string): Promise<StoredDriftReport | null> {
  return new DocumentStore(store).value(keys.driftLatest(model), storedDriftReportSchema);
}

const VERDICT_VALUE: Record<DriftReport['verdict'], number> = { stable: 0, partial: 1, drift: 2, insufficient: -1 };

/** The last report exported per model, per metrics registry: a new report replaces its model's feature series, never another model's. */
const exported = new WeakMap<ServiceMetrics, Map<string, StoredDriftReport>>();

export function exportDriftMetrics(metrics: ServiceMetrics, report: StoredDriftReport): void {
  let reports = exported.get(metrics);
  if (!reports) exported.set(metrics, (reports = new Map()));
  reports.set(report.model, report);
  // A gauge's series are dropped all at once (a feature a newer report no longer has must go), so every model's are set again.
  metrics.driftScore.reset();
  for (const last of reports.values()) {
    for (const c of last.columns) {
      if (c.effect !== null)
        metrics.driftScore.set({ model: last.model, feature: c.column, measure: c.effectName }, c.effect);
      if (c.adjustedPValue !== null)
        metrics.driftScore.set({ model: last.model, feature: c.column, measure: 'adjusted-p-value' }, c.adjustedPValue);
    }
  }
  metrics.driftShare.set({ model: report.model }, report.driftedShare);
  metrics.driftVerdict.set({ model: report.model }, VERDICT_VALUE[report.verdict]);
}
