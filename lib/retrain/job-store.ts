/** Retrain job records in storage (jobs/{jobId}.json): what was asked, where it is, what came out. */
import { z } from 'zod';
import { SAMPLER_NAMES } from '../sampling/sampler.ts';
import { CLASSIFIER_NAMES } from '../training/candidates.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { readJson } from '../storage/read-json.ts';
import { timeOrderedId } from '../util/ids.ts';

export const retrainRequestSchema = z.strictObject({
  /** A CSV in the bucket (under data/); the configured default data when absent. */
  dataKey: z
    .string()
    .regex(/^data\/[A-Za-z0-9._/-]+\.csv$/, 'must be a key under data/ ending in .csv')
    .refine((key) => !key.split('/').includes('..'), 'must not contain ".." segments')
    .optional(),
  /** Move the serving alias to the new version when training succeeds. */
  promote: z.boolean().default(false),
  /** Instead: point the challenger alias at it and start a canary against the champion. */
  canary: z.boolean().default(false),
  cv: z.number().int().min(2).max(10).default(5),
  seed: z.number().int().min(0).default(42),
  classifiers: z.array(z.enum(CLASSIFIER_NAMES)).min(1).default([...CLASSIFIER_NAMES]),
  samplers: z.array(z.enum(SAMPLER_NAMES)).min(1).default([...SAMPLER_NAMES]),
});

export type RetrainRequest = z.output<typeof retrainRequestSchema>;

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface JobRecord {
  jobId: string;
  model: string;
  alias: string;
  status: JobStatus;
  request: RetrainRequest;
  requestedBy: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  progress: { done: number; total: number; message: string };
  result?: { version: string; promoted: boolean; canary?: boolean; best: { classifier: string; sampler: string; f1_macro: number }; candidates: number; seconds: number };
  error?: string;
  lockToken: string;
}

export class JobStore {
  constructor(private readonly store: ObjectStore) {}

  private key(jobId: string): string {
    if (!/^[A-Za-z0-9-]{1,64}$/.test(jobId)) throw new RangeError(`invalid job id "${jobId}"`);
    return `jobs/${jobId}.json`;
  }

  async create(fields: Omit<JobRecord, 'jobId' | 'status' | 'createdAt' | 'progress'>): Promise<JobRecord> {
    const job: JobRecord = { jobId: timeOrderedId(), status: 'queued', createdAt: new Date().toISOString(), progress: { done: 0, total: 0, message: 'queued' }, ...fields };
    await this.save(job);
    return job;
  }

  async get(jobId: string): Promise<JobRecord | null> {
    let key: string;
    try {
      key = this.key(jobId);
    } catch {
      return null;
    }
    return readJson<JobRecord>(this.store, key);
  }

  async save(job: JobRecord): Promise<void> {
    await this.store.put(this.key(job.jobId), new TextEncoder().encode(JSON.stringify(job, null, 2)), { contentType: 'application/json' });
  }
}
