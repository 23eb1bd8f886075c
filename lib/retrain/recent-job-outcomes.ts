/**
 * Retrain outcomes for the api's /metrics, read from the job records (jobs/{jobId}.json).
 *
 * A retrain runs in a process that exits when it is done (a Kubernetes Job, the Lambda worker, a
 * child process), so a counter it keeps is never scraped. The api runs for as long as it serves
 * and is scraped, so it reads the records instead and exports what they say.
 *
 * Cheap: job ids are time-ordered ("20261127T083012345Z-9f2c1a", lib/util/ids.ts) and S3 lists
 * keys ascending, so the jobs created in the window are exactly the keys after the window's
 * first instant. One listing from there, then one read per recent job: the cost is the recent
 * jobs (a few a day), never the whole history.
 */
import type { ServiceMetrics } from '../observability/metrics.ts';
import type { DocumentStore } from '../state/document-store.ts';
import { keys, PREFIXES } from '../state/layout.ts';
import { JOB_STATUSES, jobRecordSchema, type JobRecord, type JobStatus } from '../state/schemas.ts';
import { parseTimeOrderedId } from '../util/ids.ts';
import { idStampOf } from '../util/instance-ids.ts';
import { mapLimit } from '../util/map-limit.ts';

/** Jobs created in the last 24 h are counted: longer than any retrain (the worker's limit is 15 min), short enough to read at every refresh. */
export const RECENT_JOBS_WINDOW_MS = 24 * 3_600_000;

export interface RecentJobOutcomes {
  /** Per model, how many jobs created in the window are in each status (a dead job counts as failed). */
  counts: Map<string, Record<JobStatus, number>>;
  /** Per model, when its newest failure in the window ended (ms since the epoch). */
  lastFailureAt: Map<string, number>;
  /** How many job records were read (one per recent job). */
  read: number;
}

/** What JobStore knows about dead jobs (lib/retrain/job-store.ts), without its write: a scrape never changes a record. */
export interface DeadJobs {
  readonly staleAfterMs: number;
  isDead(job: JobRecord): boolean;
}

export async function recentJobOutcomes(
  docs: DocumentStore,
  dead: DeadJobs,
  now: number,
  windowMs = RECENT_JOBS_WINDOW_MS,
): Promise<RecentJobOutcomes> {
  const since = now - windowMs;
  // The stamp part of an id made at `since`: every id made at or after it sorts after this key.
  const startAfter = PREFIXES.jobs + idStampOf(since);
  const ids: string[] = [];
  // Bounded: a thousand pages is a million jobs in a day.
  for (let after = startAfter, more = true, pages = 0; more && pages < 1_000; pages++) {
    const page = await docs.objects.listPage(PREFIXES.jobs, { startAfter: after, maxKeys: 1000 });
    for (const key of page.keys) {
      const id = key.slice(PREFIXES.jobs.length, -'.json'.length);
      if (key.endsWith('.json') && (parseTimeOrderedId(id) ?? -1) >= since) ids.push(id);
    }
    more = page.more && page.keys.length > 0;
    after = page.keys.at(-1) ?? after;
  }
  const records = await mapLimit(ids, 8, (id) => docs.value(keys.job(id), jobRecordSchema));
  const counts = new Map<string, Record<JobStatus, number>>();
  const lastFailureAt = new Map<string, number>();
  for (const job of records) {
    if (!job) continue;
    const failedAt = failureTime(job, dead);
    const status: JobStatus = failedAt === null ? job.status : 'failed';
    const perStatus =
      counts.get(job.model) ?? (Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>);
    perStatus[status]++;
    counts.set(job.model, perStatus);
    if (failedAt !== null && failedAt > (lastFailureAt.get(job.model) ?? -Infinity))
      lastFailureAt.set(job.model, failedAt);
  }
  return { counts, lastFailureAt, read: records.length };
}

/** When a job failed: its finish, or for a dead job (killed, out of memory) the moment it was last heard from plus the time that makes it dead; null if it has not failed. */
function failureTime(job: JobRecord, dead: DeadJobs): number | null {
  if (job.status === 'failed') return Date.parse(job.finishedAt ?? job.heartbeatAt ?? job.startedAt ?? job.createdAt);
  if (!dead.isDead(job)) return null;
  return Date.parse(job.heartbeatAt ?? job.startedAt ?? job.createdAt) + dead.staleAfterMs;
}

/** The outcomes as gauges: every status of `model` (the served one) is exported even at 0, so the series exists for `absent()` to watch. */
export function exportRecentJobOutcomes(metrics: ServiceMetrics, outcomes: RecentJobOutcomes, model: string): void {
  metrics.retrainJobsRecent.reset();
  metrics.retrainLastFailure.reset();
  for (const status of JOB_STATUSES) metrics.retrainJobsRecent.set({ model, status }, 0);
  for (const [name, perStatus] of outcomes.counts)
    for (const status of JOB_STATUSES) metrics.retrainJobsRecent.set({ model: name, status }, perStatus[status]);
  for (const [name, at] of outcomes.lastFailureAt) metrics.retrainLastFailure.set({ model: name }, at / 1000);
}
