/**
 * Retrain job records (layout: jobs/): what was asked, where it is, what came out. Every change
 * is a compare-and-swap. A running job writes a heartbeat every few seconds; a job not heard
 * from for `staleAfterMs` (the lock's expiry), or queued that long without starting, is dead
 * (its process was killed, its runner never started it) and is marked failed by whoever looks
 * at it next: a status read, a new retrain, the housekeeping schedule.
 */
import { ConflictError, type DocumentStore } from '../state/document-store.ts';
import { keys, KeyError, PREFIXES } from '../state/layout.ts';
import { jobRecordSchema, type JobRecord, type JobStatus } from '../state/schemas.ts';
import { parseTimeOrderedId } from '../util/ids.ts';
import { mapLimit } from '../util/map-limit.ts';
import { pageOfIds, type Page, type PageRequest } from '../registry/pagination.ts';

export type { JobRecord, JobStatus };
export { retrainRequestSchema, type RetrainRequest } from './retrain-request.ts';

export class JobStore {
  constructor(
    private readonly docs: DocumentStore,
    readonly staleAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async create(job: JobRecord): Promise<JobRecord> {
    if (!(await this.docs.create(keys.job(job.jobId), jobRecordSchema, job)))
      throw new ConflictError(`job ${job.jobId} already exists`);
    return job;
  }

  /** The job, marked failed first if it is dead; null for an unknown (or malformed) id. */
  async get(jobId: string): Promise<JobRecord | null> {
    let key: string;
    try {
      key = keys.job(jobId);
    } catch (err) {
      if (err instanceof KeyError) return null;
      throw err;
    }
    const found = await this.docs.value(key, jobRecordSchema);
    if (!found || !this.isDead(found)) return found;
    return this.update(jobId, (job) => (this.isDead(job) ? this.markDead(job) : null));
  }

  /** Marks a job that has not ended failed, with `error` (a runner that knows it died); answers the record, or null for an unknown job. */
  async markFailed(jobId: string, error: string): Promise<JobRecord | null> {
    return this.update(jobId, (job) =>
      job.status === 'queued' || job.status === 'running'
        ? { ...job, status: 'failed', finishedAt: new Date(this.now()).toISOString(), error }
        : null,
    );
  }

  /** Jobs newest first, a page at a time (each read as get() reads it: a dead one is marked failed). */
  async recent(page: PageRequest): Promise<Page<JobRecord>> {
    const ids = (await this.docs.objects.list(PREFIXES.jobs))
      .map((key) => key.slice(PREFIXES.jobs.length, -'.json'.length))
      .sort();
    const found = pageOfIds(ids, page);
    const jobs = await mapLimit(found.items, 8, (id) => this.get(id));
    return { items: jobs.filter((job): job is JobRecord => job !== null), next: found.next };
  }

  /** Compare-and-swap of one job: `change` answers the new record, or null to leave it. */
  async update(jobId: string, change: (job: JobRecord) => JobRecord | null): Promise<JobRecord | null> {
    return this.docs.update(keys.job(jobId), jobRecordSchema, (current) => {
      if (!current) return { keep: true, result: null };
      const next = change(current.value);
      return next ? { write: next, result: next } : { keep: true, result: current.value };
    });
  }

  /** Marks every dead job created within `withinMs` failed; answers their ids (the housekeeping sweep). */
  async sweepDead(withinMs: number): Promise<string[]> {
    const since = this.now() - withinMs;
    const ids = (await this.docs.objects.list(PREFIXES.jobs))
      .map((key) => key.slice(PREFIXES.jobs.length, -'.json'.length))
      .filter((id) => (parseTimeOrderedId(id) ?? 0) >= since);
    const swept: string[] = [];
    for (const id of ids) {
      const before = await this.docs.value(keys.job(id), jobRecordSchema).catch(() => null);
      if (before && this.isDead(before) && (await this.get(id))?.status === 'failed') swept.push(id);
    }
    return swept;
  }

  isDead(job: JobRecord): boolean {
    if (job.status !== 'queued' && job.status !== 'running') return false;
    const lastSign = Date.parse(job.heartbeatAt ?? job.startedAt ?? job.createdAt);
    return this.now() - lastSign > this.staleAfterMs;
  }

  private markDead(job: JobRecord): JobRecord {
    const last = job.heartbeatAt ?? job.startedAt ?? job.createdAt;
    const why =
      job.status === 'queued'
        ? `it was never started (queued since ${last})`
        : `its process stopped sending heartbeats (last at ${last}); it was killed or crashed`;
    return {
      ...job,
      status: 'failed',
      finishedAt: new Date(this.now()).toISOString(),
      error: `the job is dead: ${why}`,
      progress: { ...job.progress, message: 'dead' },
    };
  }
}
