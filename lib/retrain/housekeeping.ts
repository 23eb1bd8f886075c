/**
 * The housekeeping sweep (scheduled hourly, or POST /model/housekeeping): jobs that died are
 * marked failed, versions that never got their manifest (an upload that broke off) are
 * deleted once older than the configured age, and, where the store has no lifecycle engine,
 * captures, feedback and rollups older than their retention are deleted
 * (lib/retrain/retention-sweep.ts). Running it twice, or on two hosts, is harmless: a job is
 * marked by compare-and-swap, only incomplete versions and expired day partitions are ever
 * deleted, and deleting what is gone is a no-op.
 */
import type { ModelRegistry } from '../registry/model-registry.ts';
import { publicReason } from '../serving/public-reason.ts';
import type { RetentionPeriods } from '../state/retention.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { parseTimeOrderedId } from '../util/ids.ts';
import type { JobStore } from './job-store.ts';
import { sweepExpired, type RetentionOutcome } from './retention-sweep.ts';

/** How far back job records are looked at (older ones ended long ago or were swept already). */
const JOB_LOOKBACK_MS = 7 * 24 * 3_600_000;

export interface HousekeepingResult {
  deadJobs: string[];
  removedVersions: { model: string; version: string; files: number }[];
  /** Incomplete versions left because they are younger than the age limit (perhaps still uploading). */
  keptIncomplete: { model: string; version: string }[];
  /** Every model's retention sweep together (deletions summed; the first fault, naming its model). */
  retention: RetentionOutcome;
}

export interface RetentionSettings {
  /** 'store': the bucket's lifecycle rules expire data (nothing to do here); 'housekeeping': this sweep does. */
  enforcedBy: 'store' | 'housekeeping';
  periods: RetentionPeriods;
  maxDeletes: number;
}

export async function runHousekeeping(
  deps: { registry: ModelRegistry; jobs: JobStore; store: ObjectStore },
  models: string[],
  options: { incompleteMaxAgeMs: number; retention: RetentionSettings; now?: number },
): Promise<HousekeepingResult> {
  const now = options.now ?? Date.now();
  // Jobs of every model are in one place: swept once.
  const deadJobs = await deps.jobs.sweepDead(JOB_LOOKBACK_MS);
  const removedVersions: HousekeepingResult['removedVersions'] = [];
  const keptIncomplete: HousekeepingResult['keptIncomplete'] = [];
  const sweeps: { model: string; outcome: RetentionOutcome }[] = [];
  for (const model of models) {
    for (const version of await deps.registry.listIncompleteVersions(model)) {
      const createdAt = parseTimeOrderedId(version);
      if (createdAt !== null && now - createdAt < options.incompleteMaxAgeMs) {
        keptIncomplete.push({ model, version });
        continue;
      }
      removedVersions.push({ model, version, files: await deps.registry.deleteIncompleteVersion(model, version) });
    }
    await deps.registry.maintainHistoryTimeline(model); // the history's copies (once) and day bundles: pages that read little
    sweeps.push({ model, outcome: await enforceRetention(deps.store, model, options.retention, now) });
  }
  return { deadJobs, removedVersions, keptIncomplete, retention: mergeRetention(options.retention, sweeps) };
}

function mergeRetention(
  settings: RetentionSettings,
  sweeps: { model: string; outcome: RetentionOutcome }[],
): RetentionOutcome {
  if (settings.enforcedBy === 'store') return { enforcedBy: 'store' };
  const merged: Extract<RetentionOutcome, { enforcedBy: 'housekeeping' }> = {
    enforcedBy: 'housekeeping',
    deleted: { captures: 0, feedback: 0, summaries: 0 },
    days: 0,
    more: false,
  };
  for (const { model, outcome } of sweeps) {
    if (outcome.enforcedBy === 'store') continue;
    for (const data of Object.keys(merged.deleted) as (keyof typeof merged.deleted)[])
      merged.deleted[data] += outcome.deleted[data];
    merged.days += outcome.days;
    merged.more ||= outcome.more;
    if (outcome.error !== undefined && merged.error === undefined)
      merged.error = sweeps.length > 1 ? `model ${model}: ${outcome.error}` : outcome.error;
  }
  return merged;
}

/** Retention's part of a run; a store fault is part of the outcome (with what was deleted before it), not thrown. */
export async function enforceRetention(
  store: ObjectStore,
  model: string,
  settings: RetentionSettings,
  now: number,
): Promise<RetentionOutcome> {
  if (settings.enforcedBy === 'store') return { enforcedBy: 'store' };
  const sweep = await sweepExpired(store, model, settings.periods, { now, maxDeletes: settings.maxDeletes });
  return {
    enforcedBy: 'housekeeping',
    deleted: sweep.deleted,
    days: sweep.days.length,
    more: sweep.more,
    ...(sweep.error ? { error: publicReason(sweep.error) } : {}),
  };
}
