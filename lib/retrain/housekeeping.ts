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
  removedVersions: { version: string; files: number }[];
  /** Incomplete versions left because they are younger than the age limit (perhaps still uploading). */
  keptIncomplete: string[];
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
  model: string,
  options: { incompleteMaxAgeMs: number; retention: RetentionSettings; now?: number },
): Promise<HousekeepingResult> {
  const now = options.now ?? Date.now();
  const deadJobs = await deps.jobs.sweepDead(JOB_LOOKBACK_MS);
  const removedVersions: HousekeepingResult['removedVersions'] = [];
  const keptIncomplete: string[] = [];
  for (const version of await deps.registry.listIncompleteVersions(model)) {
    const createdAt = parseTimeOrderedId(version);
    if (createdAt !== null && now - createdAt < options.incompleteMaxAgeMs) {
      keptIncomplete.push(version);
      continue;
    }
    removedVersions.push({ version, files: await deps.registry.deleteIncompleteVersion(model, version) });
  }
  await deps.registry.maintainHistoryTimeline(model); // the history's copies (once) and day bundles: pages that read little
  return { deadJobs, removedVersions, keptIncomplete, retention: await enforceRetention(deps.store, model, options.retention, now) };
}

/** Retention's part of a run; a store fault is part of the outcome (with what was deleted before it), not thrown. */
export async function enforceRetention(store: ObjectStore, model: string, settings: RetentionSettings, now: number): Promise<RetentionOutcome> {
  if (settings.enforcedBy === 'store') return { enforcedBy: 'store' };
  const sweep = await sweepExpired(store, model, settings.periods, { now, maxDeletes: settings.maxDeletes });
  return { enforcedBy: 'housekeeping', deleted: sweep.deleted, days: sweep.days.length, more: sweep.more, ...(sweep.error ? { error: publicReason(sweep.error) } : {}) };

}
