/**
 * The housekeeping sweep (scheduled hourly, or POST /model/housekeeping): jobs that died are
 * marked failed, and versions that never got their manifest (an upload that broke off) are
 * deleted once older than the configured age. Running it twice, or on two hosts, is harmless:
 * a job is marked by compare-and-swap, and only incomplete versions are ever deleted.
 */
import type { ModelRegistry } from '../registry/model-registry.ts';
import { parseTimeOrderedId } from '../util/ids.ts';
import type { JobStore } from './job-store.ts';

/** How far back job records are looked at (older ones ended long ago or were swept already). */
const JOB_LOOKBACK_MS = 7 * 24 * 3_600_000;

export interface HousekeepingResult {
  deadJobs: string[];
  removedVersions: { version: string; files: number }[];
  /** Incomplete versions left because they are younger than the age limit (perhaps still uploading). */
  keptIncomplete: string[];
}

export async function runHousekeeping(deps: { registry: ModelRegistry; jobs: JobStore }, model: string, incompleteMaxAgeMs: number, now = Date.now()): Promise<HousekeepingResult> {
  const deadJobs = await deps.jobs.sweepDead(JOB_LOOKBACK_MS);
  const removedVersions: HousekeepingResult['removedVersions'] = [];
  const keptIncomplete: string[] = [];
  for (const version of await deps.registry.listIncompleteVersions(model)) {
    const createdAt = parseTimeOrderedId(version);
    if (createdAt !== null && now - createdAt < incompleteMaxAgeMs) {
      keptIncomplete.push(version);
      continue;
    }
    removedVersions.push({ version, files: await deps.registry.deleteIncompleteVersion(model, version) });
  }
  await deps.registry.maintainHistoryTimeline(model); // the history's copies (once) and day bundles: pages that read little
  return { deadJobs, removedVersions, keptIncomplete };
}
