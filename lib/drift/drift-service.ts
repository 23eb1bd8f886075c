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
import { featuresToRow, readCaptures } from '../release/prediction-capture.ts';
import type { ServingModel } from '../serving/model-provider.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { readJson } from '../storage/read-json.ts';
import { timeOrderedId } from '../util/ids.ts';
import { z } from 'zod';
import { checkDrift, type DriftOptions, type DriftReport } from './drift-check.ts';

/** POST /drift/check's body: a CSV in the bucket, CSV text, or nothing (the captured window). */
export const driftCheckRequestSchema = z.strictObject({
  dataKey: z.string().regex(/^data\/[A-Za-z0-9._/-]+\.csv$/, 'must be a key under data/ ending in .csv').optional(),
  csv: z.string().min(1).optional(),
});

export type DriftSource = { kind: 'captures'; since: string; until: string } | { kind: 'upload'; dataKey?: string };
export type DriftAction = 'none' | 'notified' | 'retrain-started' | 'retrain-cooldown' | 'retrain-busy' | 'retrain-failed';

export interface StoredDriftReport extends DriftReport {
  id: string;
  at: string;
  model: string;
  /** The version whose training baseline was the reference. */
  version: string;
  source: DriftSource;
  policy: Config['DRIFT_POLICY'];
  action: DriftAction;
  jobId?: string;
}

export interface DriftDeps {
  config: Config;
  store: ObjectStore;
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

/** The rows of the captured, sampled answers of the last DRIFT_WINDOW_HOURS. */
export async function capturedRows(deps: Pick<DriftDeps, 'config' | 'store'>, now = Date.now()): Promise<{ rows: CleanRow[]; source: DriftSource }> {
  const since = now - deps.config.DRIFT_WINDOW_HOURS * 3_600_000;
  const captures = await readCaptures(deps.store, deps.config.MODEL_NAME, since, now);
  const rows = captures.filter((c) => c.features).map((c) => featuresToRow(c.features!));
  return { rows, source: { kind: 'captures', since: new Date(since).toISOString(), until: new Date(now).toISOString() } };
}

export async function runDriftCheck(deps: DriftDeps, model: ServingModel, rows: CleanRow[], source: DriftSource, applyPolicy: boolean): Promise<StoredDriftReport> {
  const { config, store, logger, metrics } = deps;
  const bundle = model.predictor.bundle;
  const report = checkDrift(bundle.spec, bundle.baseline, rows, driftOptions(config));
  const stored: StoredDriftReport = { ...report, id: timeOrderedId(), at: new Date().toISOString(), model: config.MODEL_NAME, version: model.version, source, policy: config.DRIFT_POLICY, action: 'none' };
  if (applyPolicy && (report.verdict === 'drift' || report.verdict === 'partial') && config.DRIFT_POLICY !== 'off') {
    stored.action = 'notified';
    if (config.DRIFT_POLICY === 'retrain' && report.verdict === 'drift') Object.assign(stored, await retrainOnce(deps));
  }
  const prefix = `drift/${config.MODEL_NAME}/`;
  const bytes = new TextEncoder().encode(JSON.stringify(stored, null, 2));
  await store.put(`${prefix}reports/${stored.id}.json`, bytes, { contentType: 'application/json' });
  await store.put(`${prefix}latest.json`, bytes, { contentType: 'application/json' });
  exportDriftMetrics(metrics, stored);
  metrics.driftChecks.inc({ model: stored.model, verdict: stored.verdict, action: stored.action });
  emitEmf({ Model: stored.model }, { DriftedShare: { value: stored.driftedShare, unit: 'None' }, DriftVerdict: { value: VERDICT_VALUE[stored.verdict], unit: 'None' } });
  const drifted = stored.columns.filter((c) => c.status === 'drift').map((c) => c.column);
  const level = stored.verdict === 'drift' ? 'warn' : 'info';
  logger[level](
    { 'log.logger': 'drift', 'event.action': `drift-${stored.verdict}`, 'drift.id': stored.id, 'model.version': stored.version, rows: stored.rows, drifted, 'drift.share': stored.driftedShare, 'drift.action': stored.action, ...(stored.jobId ? { 'job.id': stored.jobId } : {}) },
    `drift check ${stored.verdict}: ${drifted.length}/${stored.evaluated} features drifted${drifted.length ? ` (${drifted.join(', ')})` : ''}; action ${stored.action}`,
  );
  return stored;
}

/** Starts a retrain unless one was started for drift within the cooldown. */
async function retrainOnce(deps: DriftDeps): Promise<Pick<StoredDriftReport, 'action' | 'jobId'>> {
  const { config, store } = deps;
  const key = `drift/${config.MODEL_NAME}/last-retrain.json`;
  const last = await store.get(key);
  if (last) {
    const at = Date.parse((JSON.parse(new TextDecoder().decode(last)) as { at: string }).at);
    if (Date.now() - at < config.DRIFT_RETRAIN_COOLDOWN_HOURS * 3_600_000) return { action: 'retrain-cooldown' };
  }
  const started = await deps.startRetrain(config.DRIFT_RETRAIN_CANARY);
  if ('busy' in started) return { action: 'retrain-busy' };
  if ('error' in started) return { action: 'retrain-failed' };
  await store.put(key, new TextEncoder().encode(JSON.stringify({ at: new Date().toISOString(), jobId: started.jobId })), { contentType: 'application/json' });
  return { action: 'retrain-started', jobId: started.jobId };
}

export async function latestDriftReport(store: ObjectStore, model: string): Promise<StoredDriftReport | null> {
  return readJson<StoredDriftReport>(store, `drift/${model}/latest.json`);
}

const VERDICT_VALUE: Record<DriftReport['verdict'], number> = { stable: 0, partial: 1, drift: 2, insufficient: -1 };

export function exportDriftMetrics(metrics: ServiceMetrics, report: StoredDriftReport): void {
  metrics.driftScore.reset();
  for (const c of report.columns) {
    if (c.effect !== null) metrics.driftScore.set({ model: report.model, feature: c.column, measure: c.effectName }, c.effect);
    if (c.adjustedPValue !== null) metrics.driftScore.set({ model: report.model, feature: c.column, measure: 'adjusted-p-value' }, c.adjustedPValue);
  }
  metrics.driftShare.set({ model: report.model }, report.driftedShare);
  metrics.driftVerdict.set({ model: report.model }, VERDICT_VALUE[report.verdict]);
}
