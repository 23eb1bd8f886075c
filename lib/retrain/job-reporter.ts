/**
 * A running job's voice: training progress into the job record (at most one write a second),
 * and a heartbeat every `heartbeatMs` that renews the lock and stamps the record. Training is
 * synchronous between fits, so the writes are finished in `settle()`, which training awaits
 * between fits: a write that spanned a fit would miss its deadline. When the lock is lost
 * (expired and taken) or the record says the job was declared dead, the next progress step
 * throws, so training stops instead of racing the job that took over.
 */
import { Rate, type ProgressReporter } from '../training/progress.ts';
import type { JobRecord, JobStore } from './job-store.ts';
import type { StorageLock } from './storage-lock.ts';

export class JobLostError extends Error {
  override name = 'JobLostError';
}

const PROGRESS_WRITE_MS = 1000;

export class JobReporter implements ProgressReporter {
  progress: JobRecord['progress'];
  private readonly rate = new Rate();
  private lost: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastWrite = 0;
  private lastBeat = 0;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly jobs: JobStore,
    private readonly lock: StorageLock,
    private readonly job: JobRecord,
    private readonly heartbeatMs: number,
  ) {
    this.progress = job.progress;
  }

  start(total?: number, title?: string): void {
    if (total !== undefined) {
      this.rate.start(total);
      this.progress = { done: 0, total, message: title ?? '' };
      this.dirty = true;
    }
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), Math.min(PROGRESS_WRITE_MS, this.heartbeatMs));
    this.timer.unref();
  }

  step(message: string): void {
    this.assertOwned();
    const { perSecond, etaSeconds } = this.rate.step();
    this.progress = {
      ...this.progress,
      done: this.rate.done,
      message,
      perSecond: Number(perSecond.toFixed(3)),
      etaSeconds: Math.round(etaSeconds),
    };
    this.dirty = true;
    this.tick();
  }

  /** Called by training when the search ends (the refit follows). */
  stop(): void {
    this.progress = { ...this.progress, message: 'refitting the best candidate on all rows' };
    this.dirty = true;
    this.tick();
  }

  /** Starts the heartbeat if it is due and waits for every write in flight. */
  async settle(): Promise<void> {
    this.tick();
    await this.writing;
  }

  /** Throws when the job no longer belongs to this process. */
  assertOwned(): void {
    if (this.lost) throw new JobLostError(`stopped: ${this.lost}`);
  }

  /** Stops the heartbeat and waits for the last write. */
  async end(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.writing;
  }

  private tick(): void {
    const now = Date.now();
    const beat = now - this.lastBeat >= this.heartbeatMs;
    if (!beat && !(this.dirty && now - this.lastWrite >= PROGRESS_WRITE_MS)) return;
    this.lastWrite = now;
    if (beat) this.lastBeat = now;
    this.dirty = false;
    const progress = this.progress;
    this.writing = this.writing.then(() => this.write(progress, beat)).catch(() => undefined);
  }

  private async write(progress: JobRecord['progress'], beat: boolean): Promise<void> {
    if (beat && !(await this.lock.renew(this.job.lockToken)))
      this.lost = 'the retrain lock expired and was taken by another job';
    const after = await this.jobs.update(this.job.jobId, (job) =>
      job.status === 'running' ? { ...job, progress, heartbeatAt: new Date().toISOString() } : null,
    );
    if (after && after.status !== 'running')
      this.lost = `the job was marked ${after.status}: ${after.error ?? ''}`.trim();
  }
}
