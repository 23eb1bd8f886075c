/**
 * The workers that training runs on: `jobs` threads (default: every core), each fitting one
 * thing at a time on its own, so a task never starts a pool of its own and the cores are never
 * oversubscribed. One pool per size per process, started on first use; the matrices a task
 * reads are in shared memory, so nothing is copied per worker. Trees and samplers see it as a
 * TaskRunner (lib/parallel/task-runner.ts); training's own tasks (a fold's fits) are typed here.
 */
import { availableParallelism } from 'node:os';
import type { TaskMessage, TaskRunner } from '../parallel/task-runner.ts';
import { workerUrl } from '../parallel/worker-url.ts';
import { WorkerPool } from '../parallel/worker-pool.ts';
import type { SamplerName } from '../sampling/sampler-names.ts';
import type { ClassifierName } from './classifier-names.ts';
import type { FitScore, PreparedFold } from './fold-fit.ts';
import type { TunedParams } from './tuned-params.ts';

/** One (fold, sampler): the sampler once, then every classifier of the run on its rows. */
export interface FoldSamplerTask {
  kind: 'fold-sampler';
  fold: PreparedFold;
  sampler: SamplerName;
  classifiers: ClassifierName[];
  seed: number;
}

/** One tuning configuration on one fold. */
export interface FoldConfigTask {
  kind: 'fold-config';
  fold: PreparedFold;
  sampler: SamplerName;
  classifier: ClassifierName;
  seed: number;
  config: TunedParams;
}

/** The default number of training threads: every core the process may use. */
export function defaultJobs(): number {
  return availableParallelism();
}

/** `jobs` as a count of threads: at least 1; 0 or undefined means every core. */
export function resolveJobs(jobs?: number): number {
  if (jobs === undefined || jobs === 0) return defaultJobs();
  if (!Number.isInteger(jobs) || jobs < 0)
    throw new RangeError(`jobs must be a whole number of threads (0 for every core), got ${jobs}`);
  return jobs;
}

export class TrainingPool implements TaskRunner {
  constructor(private readonly workers: WorkerPool) {}

  get threads(): number {
    return this.workers.size;
  }

  scoreFoldSampler(
    fold: PreparedFold,
    sampler: SamplerName,
    classifiers: ClassifierName[],
    seed: number,
    priority = 0,
  ): Promise<FitScore[]> {
    const task: FoldSamplerTask = { kind: 'fold-sampler', fold, sampler, classifiers, seed };
    return this.workers.run(task, priority);
  }

  /** One tuning configuration fitted on the fold's training rows and scored on its test rows. */
  scoreConfig(
    fold: PreparedFold,
    sampler: SamplerName,
    classifier: ClassifierName,
    seed: number,
    config: TunedParams,
    priority = 0,
  ): Promise<FitScore> {
    const task: FoldConfigTask = { kind: 'fold-config', fold, sampler, classifier, seed, config };
    return this.workers.run(task, priority);
  }

  run<T>(task: TaskMessage, priority = 0): Promise<T> {
    return this.workers.run<T>(task, priority);
  }

  close(): Promise<void> {
    return this.workers.close();
  }
}

const pools = new Map<number, TrainingPool>();

/** The process's pool of `jobs` training threads, started on first use. */
export function trainingPool(jobs: number): TrainingPool {
  let pool = pools.get(jobs);
  if (!pool) {
    pool = new TrainingPool(new WorkerPool(workerUrl('training-worker', import.meta.url), jobs));
    pools.set(jobs, pool);
  }
  return pool;
}

/** Stops every training pool of this process (tests, and processes that want to exit at once). */
export async function closeTrainingPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close()));
}
